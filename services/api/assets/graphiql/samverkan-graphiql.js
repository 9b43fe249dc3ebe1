// Starts GraphiQL on Samverkan's page (`GET /graphql`). A file of its own,
// not an inline script, so that the page's Content-Security-Policy can say
// `script-src 'self'`. The settings come from the page's JSON data block.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('samverkan-graphiql-config').textContent);
  var scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: config.endpoint,
    // Subscriptions (graphql-transport-ws); the Headers tab's JSON becomes
    // the `connection_init` payload, so the token works there too.
    subscriptionUrl: scheme + '//' + window.location.host + config.subscriptionPath,
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      defaultEditorToolsVisibility: 'headers',
      // Tokens are not kept in the browser's localStorage.
      shouldPersistHeaders: false,
    }),
  );
})();
