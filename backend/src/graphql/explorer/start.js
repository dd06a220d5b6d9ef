// Starts the GraphiQL explorer served by Assetronics itself (no CDN). A signed-in web-app
// session in this browser fills in the Authorization header; subscriptions send the same
// headers in `connection_init`.
(function () {
  'use strict';
  var HEADERS_KEY = 'graphiql:headers';
  function sessionHeaders() {
    try {
      var session = JSON.parse(window.localStorage.getItem('assetronics.session') || 'null');
      if (session && typeof session.access_token === 'string') {
        return JSON.stringify({ Authorization: 'Bearer ' + session.access_token }, null, 2);
      }
    } catch (e) {
      /* no session: the headers stay empty */
    }
    return undefined;
  }
  function currentHeaders() {
    try {
      return JSON.parse(window.localStorage.getItem(HEADERS_KEY) || '{}') || {};
    } catch (e) {
      return {};
    }
  }
  var scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: '/api/graphql',
    subscriptionUrl: scheme + '//' + window.location.host + '/api/graphql/ws',
    wsConnectionParams: currentHeaders,
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: sessionHeaders(),
      defaultEditorToolsVisibility: true,
    }),
  );
})();
