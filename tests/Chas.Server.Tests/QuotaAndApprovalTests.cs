using System.Net;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class QuotaAndApprovalTests
{
    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Quotas_refuse_work_past_their_limits_and_store_nothing()
    {
        await using var host = await AuthTestHost.StartAsync();
        await host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest { Quota = new NamespaceQuota { Instances = 2, MemoryBytes = 1L << 30 } });
        for (var i = 1; i <= 2; i++)
            await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = $"t{i}", Namespace = "team", Image = "busybox", MemoryBytes = 256L << 20 });
        var (third, body, r) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=team", host.Secrets.AdminToken,
            Json(new { name = "t3", image = "busybox", memoryBytes = 256L << 20 }));
        r.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, third);
        using (var problem = JsonDocument.Parse(body))
        {
            Assert.Contains("quota", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("instances", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(2, problem.RootElement.GetProperty("quota").GetProperty("instances").GetInt32());
            Assert.Equal(2, problem.RootElement.GetProperty("used").GetProperty("instances").GetInt32());
        }
        Assert.DoesNotContain((await host.Admin.ListTasksAsync()).Items, t => t.Name == "t3");

        // Memory: 3 × 512Mi > 1Gi.
        await host.Admin.ApplyNamespaceAsync("mem", new ApplyNamespaceRequest { Quota = new NamespaceQuota { Instances = 10, MemoryBytes = 1L << 30 } });
        var (big, bigBody, r2) = await host.SendAsync(HttpMethod.Put, "api/v1/deployments/web?namespace=mem", host.Secrets.AdminToken,
            Json(new { image = "nginx", replicas = 3, memoryBytes = 512L << 20 }));
        r2.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, big);
        Assert.Contains("memory", bigBody, StringComparison.Ordinal);
        var (gone, _, r3) = await host.SendAsync(HttpMethod.Get, "api/v1/deployments/web?namespace=mem", host.Secrets.AdminToken);
        r3.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.DoesNotContain((await host.Admin.ListTasksAsync()).Items, t => t.Namespace == "mem");

        // Scaling past the quota is refused too, and leaves the deployment as it was.
        await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "web", Namespace = "mem", Image = "nginx", Replicas = 1, MemoryBytes = 512L << 20 });
        var (scaled, _, r4) = await host.SendAsync(HttpMethod.Post, "api/v1/deployments/web/scale?namespace=mem", host.Secrets.AdminToken, Json(new { replicas = 3 }));
        r4.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, scaled);
        Assert.Equal(1, (await host.Admin.GetDeploymentAsync("web", "mem")).Replicas);
        Assert.Equal(2, (await host.Admin.ScaleDeploymentAsync("web", 2, "mem")).Replicas);
    }

    private static async Task AddGpuNodeAsync(AuthTestHost host, string name)
    {
        await host.Admin.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = name, Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:1/",
            Capacity = new ResourceAmounts { CpuMillis = 8000, MemoryBytes = 16L << 30 }, PortRange = new PortRange(20000, 20009),
            Gpus = [new GpuInfo { Index = 0, Model = "H100", MemoryBytes = 80L << 30 }, new GpuInfo { Index = 1, Model = "H100", MemoryBytes = 80L << 30 }],
        });
        await host.Admin.HeartbeatAsync(name, new HeartbeatRequest());
    }

    private static async Task<TaskResource> TaskAsync(AuthTestHost host, string name, string ns) => await host.Admin.GetTaskAsync(name, ns);

    [Fact]
    public async Task Gpu_tasks_wait_for_an_operator_and_users_cannot_approve()
    {
        await using var host = await AuthTestHost.StartAsync();
        await AddGpuNodeAsync(host, "g1");
        await host.Admin.ApplyNamespaceAsync("gpu", new ApplyNamespaceRequest { Approval = new ApprovalPolicy { Gpus = true } });
        var olga = await host.CreateUserAndLoginAsync("olga", Role.Operator);
        var ursula = await host.CreateUserAndLoginAsync("ursula", Role.User);
        await host.Admin.GrantAsync("gpu", "ursula", Role.User);

        using var user = host.Client(ursula.AccessToken);
        var train = await user.CreateTaskAsync(new CreateTaskRequest { Name = "train", Namespace = "gpu", Image = "pytorch", Gpus = 1 });
        Assert.Equal(TaskPhase.PendingApproval, train.Status);
        // A task without GPUs in the same namespace needs no approval and gets scheduled: the scheduler has run meanwhile.
        await user.CreateTaskAsync(new CreateTaskRequest { Name = "cpu", Namespace = "gpu", Image = "busybox" });
        await Eventually.WaitAsync(() => TaskAsync(host, "cpu", "gpu"), t => t.Node == "g1", "the cpu task to be scheduled");
        var waiting = await TaskAsync(host, "train", "gpu");
        Assert.Equal(TaskPhase.PendingApproval, waiting.Status);
        Assert.Null(waiting.Node);

        var (denied, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks/train/approve?namespace=gpu", ursula.AccessToken);
        r.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Equal(TaskPhase.PendingApproval, (await TaskAsync(host, "train", "gpu")).Status);

        using var op = host.Client(olga.AccessToken);
        var approved = await op.ApproveTaskAsync("train", "gpu");
        Assert.Equal(ApprovalState.Approved, approved.Approval?.State);
        Assert.Equal("olga", approved.Approval?.By);
        var scheduled = await Eventually.WaitAsync(() => TaskAsync(host, "train", "gpu"), t => t.Node == "g1", "the approved task to be scheduled");
        Assert.Single(scheduled.AssignedGpus);

        // Rejected: fails with the reason.
        await user.CreateTaskAsync(new CreateTaskRequest { Name = "train2", Namespace = "gpu", Image = "pytorch", Gpus = 1 });
        var rejected = await op.RejectTaskAsync("train2", "too expensive this week", "gpu");
        Assert.Equal(TaskPhase.Failed, rejected.Status);
        Assert.Contains("too expensive this week", rejected.Reason, StringComparison.Ordinal);
        var after = await TaskAsync(host, "train2", "gpu");
        Assert.Equal(TaskPhase.Failed, after.Status);
        Assert.Null(after.Node);
    }

    [Fact]
    public async Task A_deployment_needing_approval_creates_no_instances_until_approved()
    {
        await using var host = await AuthTestHost.StartAsync();
        await AddGpuNodeAsync(host, "g1");
        await host.Admin.ApplyNamespaceAsync("gpu", new ApplyNamespaceRequest { Approval = new ApprovalPolicy { Gpus = true } });
        var olga = await host.CreateUserAndLoginAsync("olga", Role.Operator);

        var held = await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "infer", Namespace = "gpu", Image = "vllm", Gpus = 1, Replicas = 2 });
        Assert.Equal(ApprovalState.Pending, held.Approval?.State);
        // A deployment that needs no approval gets its instance: the controller has run meanwhile.
        await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "plain", Namespace = "gpu", Image = "nginx", Replicas = 1 });
        await Eventually.WaitAsync(async () => (await host.Admin.ListTasksAsync()).Items, items => items.Any(t => t.Deployment == "plain"), "the plain deployment's instance");
        Assert.DoesNotContain((await host.Admin.ListTasksAsync()).Items, t => t.Deployment == "infer");

        using var op = host.Client(olga.AccessToken);
        var approved = await op.ApproveDeploymentAsync("infer", "gpu");
        Assert.Equal(ApprovalState.Approved, approved.Approval?.State);
        await Eventually.WaitAsync(async () => (await host.Admin.ListTasksAsync()).Items, items => items.Count(t => t.Deployment == "infer" && t.Namespace == "gpu") == 2,
            "the approved deployment's two instances");
    }

    [Fact]
    public async Task Only_admins_may_ask_for_privileged_containers()
    {
        await using var host = await AuthTestHost.StartAsync();
        var alice = await host.CreateUserAndLoginAsync("alice", Role.User);
        var olga = await host.CreateUserAndLoginAsync("olga", Role.Operator);
        foreach (var token in new[] { alice.AccessToken, olga.AccessToken })
        {
            var (task, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks", token, Json(new { name = "root", image = "busybox", privileged = true }));
            r.Dispose();
            Assert.Equal(HttpStatusCode.Forbidden, task);
            var (deployment, _, r2) = await host.SendAsync(HttpMethod.Put, "api/v1/deployments/root", token, Json(new { image = "busybox", privileged = true }));
            r2.Dispose();
            Assert.Equal(HttpStatusCode.Forbidden, deployment);
        }
        Assert.Empty((await host.Admin.ListTasksAsync()).Items);
        Assert.Empty((await host.Admin.ListDeploymentsAsync()).Items);
        var admin = await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "root", Namespace = "default", Image = "busybox", Privileged = true });
        Assert.True(admin.Privileged);
    }
}
