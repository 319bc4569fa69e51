// journeyline's own: starts Swagger UI on /openapi.json. A file, not an inline script,
// so the page needs no exception to the Content-Security-Policy.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Reads no remote validator badge: nothing leaves for another origin.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
