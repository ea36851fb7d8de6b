/** The Hono context type shared by every route. */

import type { Db } from "../db/client";
import type { Principal } from "../domain/principal";
import type { Config } from "../env";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    db: Db;
    principal: Principal;
  };
};
