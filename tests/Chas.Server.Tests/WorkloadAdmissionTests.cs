using System.Net;
using System.Text.Json;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>
/// The admission rule the other API tests leave out: a body may name another namespace than the one
/// the request addresses, and then the caller must be allowed to write there too. Quota refusals and
/// approval holds go through the same admission and are covered by <see cref="QuotaAndApprovalTests"/>.
/// </summary>
public sealed class WorkloadAdmissionTests
{
    [Fact]
    public async Task A_body_naming_a_namespace_the_caller_may_not_write_is_refused_for_tasks_and_deployments_alike()
    {
        await using var host = await AuthTestHost.StartAsync();
        await host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest());
        var vera = await host.CreateUserAndLoginAsync("vera", Role.User);
        await host.Admin.GrantAsync("team", "vera", Role.Viewer);

        var (task, taskBody, r1) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks", vera.AccessToken,
            """{"name":"t","image":"busybox","namespace":"team"}""");
        r1.Dispose();
        var (deployment, deploymentBody, r2) = await host.SendAsync(HttpMethod.Put, "api/v1/deployments/d", vera.AccessToken,
            """{"image":"nginx","namespace":"team"}""");
        r2.Dispose();

        const string Needed = "this needs the user role in namespace 'team'; you are viewer";
        Assert.Equal((HttpStatusCode.Forbidden, Needed), (task, Detail(taskBody)));
        Assert.Equal((HttpStatusCode.Forbidden, Needed), (deployment, Detail(deploymentBody)));
        Assert.Empty((await host.Admin.ListTasksAsync()).Items);
        Assert.Empty((await host.Admin.ListDeploymentsAsync()).Items);

        // A namespace the caller holds no role in does not exist for them.
        var (hidden, hiddenBody, r3) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks", vera.AccessToken,
            """{"name":"t","image":"busybox","namespace":"elsewhere"}""");
        r3.Dispose();
        Assert.Equal((HttpStatusCode.NotFound, "no such namespace 'elsewhere'"), (hidden, Detail(hiddenBody)));
    }

    private static string? Detail(string problem)
    {
        using var doc = JsonDocument.Parse(problem);
        return doc.RootElement.GetProperty("detail").GetString();
    }
}
