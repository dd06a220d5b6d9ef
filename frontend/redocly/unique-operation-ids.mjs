/**
 * Redocly decorator applied by `npm run gen:api` (openapi-typescript reads ../redocly.yaml).
 *
 * OpenAPI requires every operationId to be unique, and openapi-typescript keys its
 * `operations` interface by them: when two handlers share an id (utoipa defaults the id
 * to the Rust function name, so `assets::http::list` and `people::http::list` are both
 * `list`), one operation's types silently replace the other's. This renames only ids that
 * collide, to `<id>_<resource>` (e.g. `list_employees`); unique ids are left untouched, so
 * the decorator is a no-op once the backend gives every operation its own id.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resourceOf(path) {
  const segments = path.split('/').filter((s) => s && !s.startsWith('{'));
  const start = segments[0] === 'api' ? (/^v\d+$/.test(segments[1] ?? '') ? 2 : 1) : 0;
  return (segments[start] ?? 'root').replace(/[^A-Za-z0-9]+/g, '_');
}

function uniqueOperationIds() {
  return {
    Paths: {
      leave(paths) {
        const operations = [];
        for (const [path, item] of Object.entries(paths)) {
          for (const method of METHODS) {
            const operation = item?.[method];
            if (operation?.operationId) operations.push({ path, method, operation });
          }
        }
        const count = new Map();
        for (const { operation } of operations) count.set(operation.operationId, (count.get(operation.operationId) ?? 0) + 1);
        const taken = new Set(operations.map(({ operation }) => operation.operationId));
        for (const { path, method, operation } of operations) {
          const id = operation.operationId;
          if (count.get(id) === 1) continue;
          let renamed = `${id}_${resourceOf(path)}`;
          if (taken.has(renamed)) renamed = `${method}_${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
          taken.add(renamed);
          operation.operationId = renamed;
        }
      },
    },
  };
}

export default function plugin() {
  return {
    id: 'assetronics',
    decorators: {
      oas3: { 'unique-operation-ids': uniqueOperationIds },
    },
  };
}
