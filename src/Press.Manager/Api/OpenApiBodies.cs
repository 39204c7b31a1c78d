using Microsoft.OpenApi;

namespace Press.Manager.Api;

public static class OpenApiBodies
{
    /// <summary>
    /// Documents a JSON request body in OpenAPI without <c>Accepts&lt;T&gt;</c>, whose content-type filter would answer
    /// 415 before the handler could list every problem of a bad request as a 400.
    /// </summary>
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = schema, Example = OpenApiExamples.For(typeof(T)) },
                },
            };
        });
}
