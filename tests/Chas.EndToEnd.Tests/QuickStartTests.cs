using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>The README's first steps, and what a task's ending looks like from the CLI.</summary>
public sealed class QuickStartTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    [Fact]
    public async Task Run_echo_completes_with_exit_code_0_and_its_output_is_in_the_logs()
    {
        var run = await Dev.Cli.RunAsync("run", "hello", "--image", BusyboxImage.Reference, "--", "echo", "hi");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello\n", run.Stdout);
        Assert.Equal("", run.Stderr);

        await Dev.WaitForStatusAsync("hello", TaskPhase.Completed);
        var task = Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "hello");
        Assert.Equal("completed", task.Status);
        Assert.Equal(0, task.ExitCode);
        Assert.Equal(Dev.NodeName, task.Node);
        Assert.Null(task.Error);

        var logs = await Dev.Cli.RunAsync("logs", "hello");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("hi\n", logs.Stdout);
    }

    [Fact]
    public async Task A_command_exiting_3_fails_with_exit_code_3_and_an_error_naming_the_code()
    {
        await Dev.RunTaskAsync("exits-three", ["sh", "-c", "exit 3"]);

        await Dev.WaitForStatusAsync("exits-three", TaskPhase.Failed);
        var task = Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "exits-three");
        Assert.Equal("failed", task.Status);
        Assert.Equal(3, task.ExitCode);
        Assert.NotNull(task.Error);
        Assert.Contains("code 3", task.Error);
    }

    [Fact]
    public async Task Run_with_wait_exits_with_the_task_exit_code()
    {
        var run = await Dev.Cli.RunAsync("run", "waits-for-three", "--wait", "--image", BusyboxImage.Reference, "--", "sh", "-c", "exit 3");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal("waits-for-three\n", run.Stdout);
        var why = Assert.Single(run.StderrLines);
        Assert.StartsWith("waits-for-three: failed", why);
        Assert.Contains("code 3", why);
    }

    [Fact]
    public async Task A_task_whose_image_exists_nowhere_fails_with_an_error_naming_the_image()
    {
        var run = await Dev.Cli.RunAsync("run", "no-image", "--image", "no-such-image-chas:1", "--", "true");
        Assert.True(run.ExitCode == 0, run.ToString());

        // A pull attempt without a registry can take a while to give up (DNS, timeouts).
        var ended = await Dev.WaitForStatusAsync("no-image", TaskPhase.Failed, TimeSpan.FromSeconds(90));
        Assert.NotNull(ended.Error);
        Assert.Contains("no-such-image-chas:1", ended.Error);
        Assert.Null(ended.ContainerId);
        Assert.Null(ended.ExitCode);
    }
}
