// The API documentation page: Swagger UI from the installed swagger-ui-dist package, reading the app's own
// OpenAPI document. Kept in a file because the Content-Security-Policy forbids inline scripts.
(function () {
  'use strict';
  var element = document.getElementById('swagger-ui');
  if (!element) return;
  if (typeof window.SwaggerUIBundle !== 'function') {
    element.textContent = element.dataset.failed;
    element.classList.add('text-danger');
    return;
  }
  window.SwaggerUIBundle({
    url: element.dataset.specUrl,
    domNode: element,
    deepLinking: true,
    // No badge from the public validator: the page loads nothing from other hosts.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    // The session cookie goes with "Try it out" requests, as with the pages.
    withCredentials: true,
    onComplete: function () { element.classList.add('api-docs-ready'); }
  });
}());
