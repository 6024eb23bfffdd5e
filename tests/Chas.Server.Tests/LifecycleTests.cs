using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>The task state machine as a (hollow) agent drives it through the API.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.AddReadyNodeAsync("n1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<TaskResource> ScheduledTaskAsync(string name)
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = name, Image = "x" });
        return await Eventually.WaitAsync(() => _server.Admin.GetTaskAsync(name), t => t.Status == TaskPhase.Scheduled, $"{name} scheduled");
    }

    private Task<TaskResource> ReportAsync(TaskResource task, TaskStatusReport report) =>
        _server.Node.ReportTaskStatusAsync(task.Name, task.Namespace, report with { Node = report.Node ?? "n1", Uid = report.Uid ?? task.Uid });

    [Fact]
    public async Task Scheduled_running_completed_records_container_exit_and_times()
    {
        var task = await ScheduledTaskAsync("life");
        var running = await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running, ContainerId = "c1" });
        Assert.Equal((TaskPhase.Running, "c1"), (running.Status, running.ContainerId));
        Assert.NotNull(running.StartedAt);
        var done = await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Completed, ExitCode = 0 });
        Assert.Equal((TaskPhase.Completed, 0), (done.Status, done.ExitCode));
        Assert.NotNull(done.FinishedAt);
        Assert.True(done.ResourceVersion > running.ResourceVersion);

        // The same terminal report again (an agent retrying) changes nothing.
        var again = await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Completed, ExitCode = 0 });
        Assert.Equal(done.ResourceVersion, again.ResourceVersion);
    }

    [Fact]
    public async Task Contradicting_or_foreign_reports_are_refused()
    {
        var task = await ScheduledTaskAsync("guarded");
        var wrongNode = await Assert.ThrowsAsync<ChasApiException>(() => ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running, Node = "n2" }));
        Assert.Equal(HttpStatusCode.Conflict, wrongNode.Status);
        var staleUid = await Assert.ThrowsAsync<ChasApiException>(() => ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running, Uid = "old" }));
        Assert.Equal(HttpStatusCode.Conflict, staleUid.Status);
        var completedWithCode = await Assert.ThrowsAsync<ChasApiException>(() => ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Completed, ExitCode = 3 }));
        Assert.Equal(HttpStatusCode.BadRequest, completedWithCode.Status);

        await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Failed, ExitCode = 3, Error = "exited with code 3" });
        var afterEnd = await Assert.ThrowsAsync<ChasApiException>(() => ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running }));
        Assert.Equal(HttpStatusCode.Conflict, afterEnd.Status);
        var final = await _server.Admin.GetTaskAsync("guarded");
        Assert.Equal((TaskPhase.Failed, 3, "exited with code 3"), (final.Status, final.ExitCode, final.Error));
    }

    [Fact]
    public async Task Stopping_a_pending_task_ends_it_at_once()
    {
        await using var server = await TestServer.StartAsync(); // no nodes: stays pending
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "never", Image = "x" });
        var stopped = await server.Admin.StopTaskAsync("never");
        Assert.Equal(TaskPhase.Stopped, stopped.Status);
        Assert.NotNull(stopped.FinishedAt);
    }

    [Fact]
    public async Task Stopping_a_running_task_asks_its_agent()
    {
        var task = await ScheduledTaskAsync("longrun");
        await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running, ContainerId = "c1" });
        var asked = await _server.Admin.StopTaskAsync("longrun");
        Assert.True(asked.StopRequested);
        Assert.Equal(TaskPhase.Running, asked.Status);
        var stopped = await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Stopped, ExitCode = 143 });
        Assert.Equal(TaskPhase.Stopped, stopped.Status);
    }

    [Fact]
    public async Task Removing_a_running_task_needs_force()
    {
        var task = await ScheduledTaskAsync("busy");
        await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Running, ContainerId = "c1" });
        var refused = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.DeleteTaskAsync("busy", force: false));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        await _server.Admin.DeleteTaskAsync("busy", force: true);
        var gone = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetTaskAsync("busy"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task Logs_of_a_task_without_a_container_explain_why()
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "nolog", Image = "x" });
        var ex = await Assert.ThrowsAsync<ChasApiException>(async () =>
        {
            await foreach (var _ in server.Admin.ReadTaskLogsAsync("nolog", follow: false, tail: null, timestamps: false)) { }
        });
        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
        Assert.Contains("no container yet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledged_state_survives_a_restart()
    {
        var task = await ScheduledTaskAsync("durable");
        var done = await ReportAsync(task, new TaskStatusReport { Status = TaskPhase.Failed, ExitCode = 3, Error = "exited with code 3" });
        _server = await _server.RestartAsync();
        var after = await _server.Admin.GetTaskAsync("durable");
        Assert.Equal((TaskPhase.Failed, 3, done.ResourceVersion, task.Uid), (after.Status, after.ExitCode, after.ResourceVersion, after.Uid));
        var created = await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "later", Image = "x" });
        Assert.True(created.ResourceVersion > done.ResourceVersion, "revisions keep increasing across restarts");
    }
}
