/**
 * Executes the engine's commands for one CallSession through its ports. Quick ones (D1 sync,
 * closing media) run inside the current input's turn; slow ones (dialing, hanging up, connecting
 * the model, post-call work) start beside the queue and report back as inputs.
 */
import { describeError } from "../db/client";
import { toolsFor } from "../domain/agent-tools";
import {
  answerViewOf,
  type SessionCommand,
  type SessionInput,
  type SessionState,
} from "../domain/call-engine";
import type { CallParams } from "../domain/call-params";
import { rowProgress } from "../domain/call-record";
import { disclosureSentence, FALLBACK_PRINCIPAL } from "../domain/disclosure";
import type { GuardrailToken } from "../domain/schedule";
import type { RecordingSink, SessionPorts, VoiceSession, VoiceSessionConfig } from "../ports";
import { buildSystemPrompt } from "../voice/system-prompt";
import { MediaBridge } from "./media/media-bridge";
import { VoiceRelay } from "./media/voice-relay";
import { runPostCall } from "./post-call";
import type { SerialQueue } from "./serial-queue";

/** What a media socket's attachment says about its stream. */
export type SocketInfo = { authenticated: boolean; stopped: boolean; streamId?: string };

export type SessionHost = {
  ports: SessionPorts;
  queue: SerialQueue;
  mediaSockets(): WebSocket[];
  state(): SessionState | undefined;
  /** Queues an input (from work beside the queue). */
  feed(input: SessionInput): Promise<unknown>;
  /** Applies an input within the current turn (from a quick command). */
  applyNow(input: SessionInput): Promise<void>;
};

export class CommandRunner {
  /** The live audio path, once the call is answered and its model connected. */
  bridge: MediaBridge | undefined;
  private recorder: RecordingSink | undefined;
  /** The voice model, connected while the phone rang, waiting for the bridge. */
  private prepared: { relay: VoiceRelay; session: Promise<VoiceSession | undefined> } | undefined;

  constructor(private readonly host: SessionHost) {}

  async execute(command: SessionCommand, state: SessionState): Promise<void> {
    const { ports, queue } = this.host;
    const call = state.params;
    switch (command.type) {
      case "sync":
        return this.sync();
      case "close_media":
        this.dropPrepared();
        return this.closeMedia();
      case "prepare_voice":
        return queue.start(async () => {
          const relay = new VoiceRelay();
          const session = ports
            .voice(call)
            .connect(sessionConfig(call), relay)
            .catch((e) => {
              // Not fatal: the bridge connects again at the answer.
              console.warn("voice model set-up while ringing failed", { error: describeError(e) });
              return undefined;
            });
          this.prepared = { relay, session };
          await session;
        });
      case "dial":
        return queue.start(async () => {
          const outcome = await ports.carrier(call).dial(call);
          if (!outcome.ok)
            console.warn("carrier refused call creation", {
              callId: call.callId,
              attempt: command.attempt,
              error: outcome.detail,
            });
          await this.host.feed(
            outcome.ok
              ? { type: "dial_succeeded", providerCallId: outcome.providerCallId }
              : { type: "dial_failed", retryable: outcome.retryable },
          );
        });
      case "recheck":
        return queue.start(async () => {
          let error: GuardrailToken | null;
          try {
            error = await ports.store.recheckGuardrails(call, ports.clock.now());
          } catch (e) {
            // The engine's alarm tries a due call again; storage was not reachable this time.
            console.error("guardrail recheck failed", {
              callId: call.callId,
              error: describeError(e),
            });
            await this.host.feed({ type: "recheck_failed" });
            return;
          }
          await this.host.feed({ type: "recheck_done", error });
        });
      case "hang_up":
        return queue.start(() =>
          ports
            .carrier(call)
            .hangUp(command.providerCallId, command.answered)
            // The carrier's own TimeLimit still bounds the call; the state is already terminal.
            .catch((e) =>
              console.error("hangup failed", { callId: call.callId, error: describeError(e) }),
            ),
        );
      case "start_bridge":
        return queue.start(() => this.startBridge(call, command.answeredAt));
      case "tool_result":
        this.bridge?.toolResult(command.call, command.result);
        return;
      case "inform_model":
        this.bridge?.inform(command.text);
        return;
      case "gate_agent_audio":
        this.bridge?.gate(command.open);
        return;
      case "play_dtmf":
        this.bridge?.playDigits(command.digits);
        return;
      case "transfer":
        return queue.start(async () => {
          try {
            await ports.carrier(call).transfer(call, command.providerCallId, command);
            // The person is on with a human now: the voice model's part is over (its latency
            // figures stay for the record).
            this.bridge?.finish();
          } catch (e) {
            console.warn("transfer refused by the carrier", {
              callId: call.callId,
              error: describeError(e),
            });
            await this.host.feed({ type: "transfer_failed" });
          }
        });
      case "run_post_call":
        return queue.start(async () => {
          const latency = this.bridge?.finish() ?? null;
          const recorder = this.recorder;
          this.bridge = undefined;
          this.recorder = undefined;
          // After a restart the recorder is gone; what it had saved can still be completed.
          const saved = state.interrupted ? state.recording : null;
          const outputs = await runPostCall({
            call,
            state: state.call,
            lines: state.lines,
            latency,
            recorder,
            savedRecording: saved ? () => ports.completeSavedRecording(call, saved) : undefined,
            interrupted: state.interrupted,
            analyzer: ports.analyzer(call),
            // Leave a second of the bound to write the record.
            deadline: command.deadline - 1000,
          });
          await this.host.feed({ type: "post_call_done", outputs });
        });
    }
  }

  /** Connects the voice model to the answered call's media stream. */
  private async startBridge(call: CallParams, answeredAt: number): Promise<void> {
    const { ports } = this.host;
    const [ws] = this.host.mediaSockets();
    const info = ws?.deserializeAttachment() as SocketInfo | undefined;
    if (!ws || !info?.streamId || this.bridge) return;
    this.recorder = ports.recording(
      call,
      (saved) => void this.host.feed({ type: "recording_saved", saved }),
    );
    const bridge = new MediaBridge(
      { socket: ws, streamId: info.streamId, codec: ports.codec },
      answeredAt,
      this.recorder,
      {
        agentHungUp: () => void this.host.feed({ type: "agent_hung_up" }),
        modelLost: (reason) => {
          console.warn("voice model lost", { callId: call.callId, reason });
          void this.host.feed({ type: "model_lost" });
        },
        line: (line) => void this.host.feed({ type: "transcript_line", line }),
        toolCall: (toolCall) => void this.host.feed({ type: "tool_called", call: toolCall }),
        beep: () => void this.host.feed({ type: "beep_heard" }),
        greetingSilent: () => void this.host.feed({ type: "greeting_silent" }),
      },
      () => ports.clock.now(),
    );
    this.bridge = bridge;
    // A machine's greeting may already be playing (the verdict came before the bridge).
    if (this.host.state()?.answering.message === "awaiting_greeting_end") bridge.gate(false);
    const prepared = this.prepared;
    this.prepared = undefined;
    try {
      // Set up while the phone rang, unless that failed or the model left since.
      let session = prepared && !prepared.relay.lost ? await prepared.session : undefined;
      if (session && prepared) prepared.relay.target = bridge;
      else session = await ports.voice(call).connect(sessionConfig(call), bridge);
      if (this.bridge !== bridge) return session.close();
      bridge.attach(session);
      session.begin();
    } catch (e) {
      console.error("voice model connection failed", {
        callId: call.callId,
        error: describeError(e),
      });
      await this.host.feed({ type: "model_lost" });
    }
  }

  /** Brings D1 and the delivery queue up to this state; the engine retries on failure. */
  private async sync(): Promise<void> {
    const s = this.host.state();
    if (!s) return;
    const extras = { questions: s.questions, optedOut: s.optOut !== null };
    const progress = rowProgress(
      s.params,
      s.call,
      s.lines,
      s.outputs,
      s.finalized,
      answerViewOf(s),
      extras,
    );
    try {
      await this.host.ports.store.sync(s.params, progress, s.outbox, s.optOut);
      await this.host.applyNow({ type: "synced", eventIds: s.outbox.map((e) => e.id) });
    } catch (e) {
      console.error("syncing the call to D1 and the queue failed; will retry", {
        callId: s.params.callId,
        error: describeError(e),
      });
      await this.host.applyNow({ type: "sync_failed" });
    }
  }

  /** A model set up for a call that was never answered is closed. */
  private dropPrepared(): void {
    const prepared = this.prepared;
    this.prepared = undefined;
    void prepared?.session.then((s) => s?.close());
  }

  private closeMedia(): void {
    // Agent lines still waiting for their audio to play go to the state before post-call work.
    this.bridge?.flushLines();
    for (const ws of this.host.mediaSockets()) {
      try {
        ws.close(1000, "call ended");
      } catch {
        // already closing
      }
    }
  }
}

function sessionConfig(call: CallParams): VoiceSessionConfig {
  const firstSentence = disclosureSentence({
    onBehalfOf: call.onBehalfOf ?? FALLBACK_PRINCIPAL,
    recorded: call.recorded ?? true,
  });
  return {
    systemPrompt: buildSystemPrompt({ ...call, firstSentence }),
    voice: call.voice,
    language: call.language,
    firstSentence,
    tools: toolsFor(call),
  };
}
