// Starts Swagger UI on /docs. A file of its own, not an inline script, so that
// the page's Content-Security-Policy can allow scripts from this node only.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // No badge fetched from validator.swagger.io: the docs never leave this node.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
