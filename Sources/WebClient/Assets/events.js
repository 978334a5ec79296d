// The workspace's event stream over a WebSocket, resumed after a dropped connection from the
// last event_sequence seen per stream, so nothing is lost and nothing arrives twice.
import { session } from './api.js';

/** Reconnection waits this long at first, doubling up to `retryMillisecondsMax`. */
const retryMillisecondsMin = 500;
const retryMillisecondsMax = 8000;

export class EventStream {
  /**
   * `points` maps stream (`workspace` or a channel ID) to the last event_sequence already
   * reflected on screen. `handlers`: onEvent(frame), onReady(), onResync(stream),
   * onUnavailable(stream), onStatus('connecting' | 'live' | 'offline').
   */
  constructor(workspace, points, handlers) {
    this.workspace = workspace;
    this.points = new Map(Object.entries(points));
    this.handlers = handlers;
    this.retry = retryMillisecondsMin;
    this.closed = false;
    this.connect();
  }

  /** Starts following a stream from `sequence` (a channel that appeared while connected). */
  follow(stream, sequence) {
    if (!this.points.has(stream)) this.points.set(stream, sequence);
  }

  url() {
    const resume = [...this.points].map(([stream, sequence]) => `${stream}:${sequence}`).join(',');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ access_token: session.token || '' });
    if (resume) query.set('resume', resume);
    return `${scheme}//${location.host}/v1/workspaces/${encodeURIComponent(this.workspace)}/events?${query}`;
  }

  connect() {
    if (this.closed) return;
    this.handlers.onStatus?.('connecting');
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = () => {
      if (this.socket !== socket || this.closed) return;
      this.handlers.onStatus?.('offline');
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, retryMillisecondsMax);
    };
  }

  receive(frame) {
    switch (frame.type) {
      case 'ready':
        this.retry = retryMillisecondsMin;
        this.handlers.onStatus?.('live');
        this.handlers.onReady?.();
        break;
      case 'event': {
        const { stream, event_sequence: sequence } = frame.event;
        // The server never repeats an event after our resume point; this guard keeps that
        // true on screen even if two connections overlap during a reconnect.
        if (this.points.has(stream) && sequence <= this.points.get(stream)) return;
        this.points.set(stream, sequence);
        this.handlers.onEvent?.(frame);
        break;
      }
      case 'resync_required':
        this.handlers.onResync?.(frame.stream);
        break;
      case 'stream_unavailable':
        this.points.delete(frame.stream);
        this.handlers.onUnavailable?.(frame.stream);
        break;
      default:
        break;
    }
  }

  /** Moves a stream's resume point after a reload of its history. */
  reset(stream, sequence) { this.points.set(stream, sequence); }

  close() {
    this.closed = true;
    this.socket?.close();
  }
}
