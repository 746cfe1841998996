using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Needle.Hosting;

namespace Needle.ControlPlane.OpenApi;

/// <summary>
/// Makes the control plane's OpenAPI document one that clients can trust: what it is and its licence, who may call it
/// (the API-key scheme, or a local caller with no credentials), the problem-details shape every refusal has, and a
/// described tag.
/// </summary>
internal sealed class NeedleOpenApiDocumentTransformer(IOptions<NeedleOptions> options) : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "NeedleApiKey";
    public const string ProblemSchema = "NeedleProblem";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Needle control plane",
            Version = typeof(NeedleOpenApiDocumentTransformer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
            Description = "Deploy, release, roll back and patch the functions of a Needle host. Callers are admitted by the host's authorization "
                + "policy (MapNeedleApi(...).RequireAuthorization(...)), the API key, or as a truly local caller (loopback connection, loopback Host, "
                + "no forwarding headers), which needs no credentials. Every refusal is an RFC 9457 problem details document.",
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = options.Value.ApiKeyHeaderName,
            Description = "NeedleOptions.ApiKey, for scripts on other machines. A local caller needs none.",
        };

        // Either the API key, or nothing (a local caller, or the host's own authentication through its policy).
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] }, new OpenApiSecurityRequirement()];
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Needle", Description = "Functions, versions, releases, emergency actions, audit and nodes; plus health (Needle.Observability) and plans, patch runs and the guard (Needle.Rollback) when the host adds them." },
        };
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details. A refused source also carries its diagnostics with line and column.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for example 'Invalid function'." },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Where and why, in a sentence." },
            ["diagnostics"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["line"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["column"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["severity"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
            },
        },
    };
}
