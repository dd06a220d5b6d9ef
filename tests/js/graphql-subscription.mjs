// Subscribes to the Assetronics GraphQL API with the real `graphql-ws` client and prints, one
// JSON object per line: `{"event": "connected"}` once the server acknowledged
// `connection_init`, then each result as `{"event": "next", "payload": {"data": ...}}`, and
// exits after the first `results` of them (default 1). A refused or failed connection or
// subscription prints `{"event": "error", "error": {...}}` and exits with status 1.
//
// Usage: node graphql-subscription.mjs <server url> <token> [subscription document] [results]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const DEFAULT_DOCUMENT = `subscription {
  assetEvents { event asset { id tag name status assignedTo { id name } } }
}`;

const [base, token, document = DEFAULT_DOCUMENT, results = '1'] = process.argv.slice(2);
const wanted = Number.parseInt(results, 10);
if (!base || token === undefined || !(wanted >= 1)) {
  console.error('usage: node graphql-subscription.mjs <server url> <token> [subscription document] [results]');
  process.exit(2);
}

const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const url = `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/api/graphql/ws`;

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { token },
  lazy: false,
  // The subscription's error sink reports a refused connection; no second report on stderr.
  onNonLazyError: () => {},
  retryAttempts: 0,
  on: { connected: () => print({ event: 'connected' }) },
});

let received = 0;
const finish = async (code) => {
  await client.dispose();
  process.exit(code);
};

client.subscribe(
  { query: document },
  {
    next: (result) => {
      print({ event: 'next', payload: result });
      received += 1;
      if (received === wanted) finish(0);
    },
    error: (err) => {
      const detail = err instanceof Error ? { message: err.message } : Array.isArray(err) ? { errors: err } : { code: err?.code, reason: err?.reason };
      print({ event: 'error', error: detail });
      finish(1);
    },
    complete: () => finish(0),
  },
);
