using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Needle.ControlPlane.OpenApi;

/// <summary>
/// Documents the problem responses each control-plane operation can give, by what it is: every call can be refused
/// access (403); a call naming a function or version can find none (404); a call that changes something can be invalid
/// (400) or lose a race with another operator (409); a call that runs the quality gate can fail it (422).
/// </summary>
internal sealed class NeedleOpenApiOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var method = context.Description.HttpMethod ?? "GET";
        var changes = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
        var names = context.Description.ParameterDescriptions.Any(p => p.Source.Id == "Path");
        operation.Responses ??= [];
        if (changes)
        {
            Add(operation, context, "400", "The request is invalid: the problem says which field and why; nothing changed.");
            Add(operation, context, "409", "Another change won the race (the release moved since it was read), or the state does not allow it; nothing changed.");
        }

        if (operation.Responses.Remove("422"))
        {
            // Declared by the endpoints that run the quality gate (ProducesProblem(422)): described here in Needle's shape.
            Add(operation, context, "422", "The version about to take traffic failed some of its test cases: the problem's failures list each one (expected against actual, logs, duration); nothing changed.");
        }

        Add(operation, context, "403", "Not admitted: not a local caller, no valid API key, and the host's policy did not authorize it. The problem says which rule refused.");
        if (names)
        {
            Add(operation, context, "404", "No such function, version or run.");
        }

        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(NeedleOpenApiDocumentTransformer.ProblemSchema, context.Document) },
            },
        };
    }
}
