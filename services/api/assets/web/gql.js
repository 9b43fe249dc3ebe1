// The only ways the app talks to the server: POST /graphql and
// graphql-transport-ws at /graphql/ws, both with the user's bearer token.

/** A GraphQL answer with errors; `errors` as the server sent them. */
export class GraphQLError extends Error {
  constructor(errors, status) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
    this.status = status;
  }
  get code() {
    return this.errors[0]?.extensions?.code;
  }
}

/** Run a query or mutation; resolves to `data`, rejects with GraphQLError. */
export async function gql(token, query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new GraphQLError([{ message: String(e.message || e), extensions: { code: 'NETWORK' } }], 0);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError([{ message: `HTTP ${response.status}`, extensions: { code: 'HTTP' } }], response.status);
  }
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors, response.status);
  return body.data;
}

/** A new command id (UUID v4). */
export function commandId() {
  return crypto.randomUUID();
}

/** One websocket (graphql-transport-ws) carrying the page's subscriptions.
 * `subscribe(query, variables, onNext)` returns an unsubscribe function. The
 * socket reconnects after a drop (with the same subscriptions) and then tells
 * `onState('live', true)`, so that the page re-runs its view's query once. */
export class Live {
  constructor(token, onState) {
    this.token = token;
    this.onState = onState || (() => {});
    this.subs = new Map();
    this.nextId = 1;
    this.ws = null;
    this.acked = false;
    this.closed = false;
    this.retry = 500;
    this.everAcked = false;
  }

  connect() {
    if (this.closed) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
    const ws = new WebSocket(url, 'graphql-transport-ws');
    this.ws = ws;
    this.acked = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${this.token}` } }));
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === 'connection_ack') {
        this.acked = true;
        this.retry = 500;
        // After a drop: the view reads its data again (events may be missed).
        const reconnected = this.everAcked;
        this.everAcked = true;
        this.onState('live', reconnected);
        for (const [id, sub] of this.subs) this.send(id, sub);
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (msg.type === 'next') {
        this.subs.get(msg.id)?.onNext(msg.payload);
      } else if (msg.type === 'error') {
        this.subs.get(msg.id)?.onNext({ errors: msg.payload });
      }
    };
    ws.onclose = (event) => {
      this.acked = false;
      if (this.closed) return;
      this.onState(event.code === 4403 ? 'unauthenticated' : 'offline');
      if (event.code === 4403) return;
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 15000);
    };
  }

  send(id, sub) {
    if (this.ws && this.acked) {
      this.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: sub.query, variables: sub.variables } }));
    }
  }

  subscribe(query, variables, onNext) {
    const id = String(this.nextId++);
    const sub = { query, variables, onNext };
    this.subs.set(id, sub);
    if (!this.ws) this.connect();
    else this.send(id, sub);
    return () => {
      this.subs.delete(id);
      if (this.ws && this.acked) this.ws.send(JSON.stringify({ id, type: 'complete' }));
    };
  }

  close() {
    this.closed = true;
    this.subs.clear();
    if (this.ws) this.ws.close(1000);
  }
}
