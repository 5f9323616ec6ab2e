// Starts Swagger UI on the API documentation page. A file of its own, not an inline
// script, so that the page keeps the Content-Security-Policy script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // The page is served by the API itself: try-it-out calls go to this same site.
    tryItOutEnabled: false,
    persistAuthorization: false,
    validatorUrl: null,
  });
})();
