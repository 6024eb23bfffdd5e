using Chas.Contracts;
using Chas.Server.State;

namespace Chas.Server.Tests;

public class TaskTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TaskResource Scheduled = new() { Name = "t", Uid = "u1", Node = "n1", Status = TaskPhase.Scheduled };

    private static TaskStatusReport Report(TaskPhase status, int? exit = null) => new() { Status = status, Node = "n1", Uid = "u1", ExitCode = exit };

    [Fact]
    public void Running_sets_container_and_start_time()
    {
        var outcome = TaskTransitions.ApplyReport(Scheduled, Report(TaskPhase.Running) with { ContainerId = "c" }, Now);
        Assert.Equal((TaskPhase.Running, "c", Now), (outcome.Updated!.Status, outcome.Updated.ContainerId, outcome.Updated.StartedAt));
    }

    [Theory]
    [InlineData(TaskPhase.Completed, 0)]
    [InlineData(TaskPhase.Failed, 3)]
    [InlineData(TaskPhase.Stopped, 143)]
    public void Ending_phases_record_exit_and_finish_time(TaskPhase phase, int exit)
    {
        var running = Scheduled with { Status = TaskPhase.Running, StartedAt = Now };
        var outcome = TaskTransitions.ApplyReport(running, Report(phase, exit), Now.AddSeconds(5));
        Assert.Equal((phase, exit, Now.AddSeconds(5)), (outcome.Updated!.Status, outcome.Updated.ExitCode, outcome.Updated.FinishedAt));
        Assert.Equal(Now, outcome.Updated.StartedAt);
    }

    [Theory]
    [InlineData(TaskPhase.Pending)]
    [InlineData(TaskPhase.Scheduled)]
    [InlineData(TaskPhase.Lost)]
    public void Agents_cannot_report_server_side_phases(TaskPhase phase) =>
        Assert.Equal(400, TaskTransitions.ApplyReport(Scheduled, Report(phase), Now).ErrorStatus);

    [Fact]
    public void A_pending_task_cannot_be_reported_on() =>
        Assert.Equal(409, TaskTransitions.ApplyReport(Scheduled with { Status = TaskPhase.Pending, Node = null }, Report(TaskPhase.Running) with { Node = null }, Now).ErrorStatus);

    [Fact]
    public void Terminal_tasks_accept_only_the_same_report_again()
    {
        var lost = TaskTransitions.MarkLost(Scheduled, "n1", Now);
        Assert.Equal(TaskPhase.Lost, lost.Status);
        Assert.Equal(409, TaskTransitions.ApplyReport(lost, Report(TaskPhase.Completed, 0), Now).ErrorStatus);
        var failed = Scheduled with { Status = TaskPhase.Failed, ExitCode = 1 };
        var again = TaskTransitions.ApplyReport(failed, Report(TaskPhase.Failed, 1), Now);
        Assert.Same(failed, again.Updated);
    }

    [Fact]
    public void Reports_for_another_node_or_an_older_task_of_the_same_name_are_refused()
    {
        Assert.Equal(409, TaskTransitions.ApplyReport(Scheduled, Report(TaskPhase.Running) with { Node = "n2" }, Now).ErrorStatus);
        Assert.Equal(409, TaskTransitions.ApplyReport(Scheduled, Report(TaskPhase.Running) with { Uid = "u0" }, Now).ErrorStatus);
    }

    [Fact]
    public void Stopping_before_scheduling_ends_the_task()
    {
        var stopped = TaskTransitions.StopUnstarted(Scheduled with { Status = TaskPhase.Pending }, Now);
        Assert.Equal((TaskPhase.Stopped, true, Now), (stopped.Status, stopped.StopRequested, stopped.FinishedAt));
    }
}
