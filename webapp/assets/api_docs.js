// The API reference page (/api/v1/docs): Swagger UI from the swagger-ui-dist npm package, reading the OpenAPI
// document the server generates. "Try it out" calls the API with the signed-in person's session; requests that
// change something carry the session's CSRF token, as the app's forms do.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import "swagger-ui-dist/swagger-ui.css";

const root = document.getElementById("swagger-ui");
if (root) {
  const token = root.dataset.csrfToken;
  root.textContent = "";
  SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    tryItOutEnabled: false,
    requestInterceptor: (request) => {
      const sameSite = request.url.startsWith("/") || request.url.startsWith(window.location.origin);
      if (sameSite && request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    },
  });
}
