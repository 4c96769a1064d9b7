/*
 * verbund – starts GraphiQL on /graphql from the vendored files (templates/graphiql.html).
 *
 * No inline script: the page's Content-Security-Policy allows scripts from 'self' only, so this
 * file does what the GraphiQL examples put in a <script> block. Layout is set through
 * element.style (the CSSOM), which no style-src rule blocks.
 *
 * Requests: POST /graphql with JSON, the session cookie (credentials: 'same-origin'), the CSRF
 * token from <meta name="csrf-token"> as X-CSRF-Token, and whatever the user typed into
 * GraphiQL's "Headers" editor (e.g. {"Authorization": "Bearer vbd_…"}), which wins on a clash.
 * Headers are not kept in localStorage (shouldPersistHeaders: false), so a token typed there is
 * gone after a reload.
 */
(function () {
  'use strict';

  var ENDPOINT = '/graphql';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = meta ? meta.getAttribute('content') : '';

  function fetcher(graphQLParams, options) {
    var headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/json',
    });
    if (csrfToken) {
      headers.set('X-CSRF-Token', csrfToken);
    }
    var typed = (options && options.headers) || {};
    Object.keys(typed).forEach(function (name) {
      headers.set(name, String(typed[name]));
    });
    return fetch(ENDPOINT, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(graphQLParams),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          // Not JSON (a proxy's error page, say): show it as a GraphQL error, not a crash.
          return {
            errors: [
              {
                message:
                  'Antwort ohne JSON (HTTP ' + response.status + ' ' + response.statusText + '): ' +
                  text.slice(0, 500),
              },
            ],
          };
        }
      });
    });
  }

  var DEFAULT_QUERY = [
    '# verbund – GraphQL-Schnittstelle',
    '#',
    '# Angemeldet? Dann gilt Ihre Sitzung.',
    '# Mit API-Token: unten unter „Headers“ eintragen',
    '#   {"Authorization": "Bearer <Token>"}',
    '#',
    '# Strg+Enter: Abfrage ausführen',
    '# Strg+Leertaste: Felder vorschlagen',
    '# Schema-Dokumentation: Symbol oben links',
    '',
    '{',
    '  __typename',
    '}',
    '',
  ].join('\n');

  function start() {
    var root = document.getElementById('graphiql');
    document.documentElement.style.height = '100%';
    document.body.style.height = '100%';
    document.body.style.margin = '0';
    root.style.height = '100vh';

    ReactDOM.createRoot(root).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        shouldPersistHeaders: false,
        isHeadersEditorEnabled: true,
      })
    );
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
