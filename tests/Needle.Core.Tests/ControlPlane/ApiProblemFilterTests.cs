using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.ControlPlane;
using Needle.Runtime;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.ControlPlane;

/// <summary>
/// One mapping from Needle's exceptions to problem details for the whole control-plane group: Core's endpoints and a
/// contributor's (another package's) answer a refusal the same way, and locations follow the prefix mapped.
/// </summary>
[TestClass]
public sealed class ApiProblemFilterTests
{
    [TestMethod]
    [DataRow("invalid", 400, "Invalid function", "line 3 is wrong", DisplayName = "FunctionValidationException")]
    [DataRow("missing", 404, "Not found", "no such thing", DisplayName = "NeedleNotFoundException")]
    [DataRow("conflict", 409, "Conflict", "someone else won", DisplayName = "NeedleConflictException")]
    [DataRow("argument", 400, "Invalid request", "weight out of range", DisplayName = "ArgumentException")]
    public async Task Contributor_ThrowsNeedlesException_AnsweredAsCoresProblem(string what, int status, string title, string detail)
    {
        // Arrange
        await using var host = await TestHost.StartAsync(needle: b => b.Services.AddSingleton<INeedleApiContributor, ThrowingContributor>());

        // Act
        using var response = await host.Client.PostAsync($"/needle/api/throws/{what}", null);
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();

        // Assert
        Assert.AreEqual(status, (int)response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(title, problem!["title"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), detail);
        if (what == "invalid")
        {
            Assert.AreEqual(3, problem["diagnostics"]![0]!["line"]!.GetValue<int>());
        }
    }

    [TestMethod]
    public async Task Contributor_NotAdmitted_RefusedBeforeItsHandlerRuns()
    {
        // Arrange
        var contributor = new ThrowingContributor();
        await using var host = await TestHost.StartAsync(needle: b => b.Services.AddSingleton<INeedleApiContributor>(contributor));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/needle/api/throws/conflict");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        // Act
        using var response = await host.Client.SendAsync(request);

        // Assert
        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual(0, contributor.Calls, "the contributor's handler ran for a refused caller");
    }

    [TestMethod]
    public async Task DeployAndPatch_HostWithAPathBase_LocationsUnderThePathBaseAndTheMappedPrefix()
    {
        // Arrange
        await using var host = await TestHost.StartAsync(map: app =>
        {
            app.UsePathBase("/base");
            app.UseRouting();
        });
        var deployed = await host.Client.PostAsJsonAsync("/base/needle/api/functions/shop/versions", new { source = "export default () => 'v1';" });
        var hash = (await deployed.Content.ReadFromJsonAsync<JsonNode>())!["contentHash"]!.GetValue<string>();

        // Act
        using var patched = await host.Client.PostAsJsonAsync("/base/needle/api/functions/shop/patches", new { baseHash = hash, source = "export default () => 'v2';", reason = "hotfix" });

        // Assert
        Assert.AreEqual(HttpStatusCode.Created, deployed.StatusCode);
        Assert.AreEqual("/base/needle/api/functions/shop/versions/1", deployed.Headers.Location!.OriginalString);
        Assert.AreEqual(HttpStatusCode.Created, patched.StatusCode, await patched.Content.ReadAsStringAsync());
        StringAssert.StartsWith(patched.Headers.Location!.OriginalString, "/base/needle/api/functions/shop/versions/2");
        deployed.Dispose();
    }

    private sealed class ThrowingContributor : INeedleApiContributor
    {
        public int Calls { get; private set; }

        public void Map(IEndpointRouteBuilder api) => api.MapPost("/throws/{what}", (string what) => Refuse(what));

        private IResult Refuse(string what)
        {
            Calls++;
            throw what switch
            {
                "invalid" => new FunctionValidationException("line 3 is wrong", line: 3, column: 1),
                "missing" => new NeedleNotFoundException("no such thing"),
                "conflict" => new NeedleConflictException("someone else won"),
                _ => (Exception)new ArgumentException("weight out of range"),
            };
        }
    }
}
