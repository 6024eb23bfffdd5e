using System.Diagnostics;

namespace Chas.Runtime.Docker.Tests;

public sealed class ExecTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task Exec_returns_the_output_and_the_exit_code()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("exec", "sleep", "1000"));

        var result = await _runtime.ExecAsync(id, ["sh", "-c", "echo hello; exit 4"], Generous, CancellationToken.None);

        Assert.Equal(new ExecResult(4, "hello\n", TimedOut: false), result);
    }

    [Fact]
    public async Task Stdout_and_stderr_come_back_together_cut_to_64_KiB()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("exec-big", "sleep", "1000"));

        var small = await _runtime.ExecAsync(id, ["sh", "-c", "echo out; echo err >&2"], Generous, CancellationToken.None);
        // 200 KiB of 'x': the command must still finish (its output is drained, not left to fill the pipe).
        var big = await _runtime.ExecAsync(
            id, ["sh", "-c", "yes x | tr -d '\\n' | head -c 204800; echo; exit 0"], Generous, CancellationToken.None);

        Assert.Equal(["err", "out"], small.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal((0, false), (big.ExitCode, big.TimedOut));
        Assert.Equal(new string('x', 64 * 1024), big.Output);
    }

    [Fact]
    public async Task Exec_past_its_timeout_returns_quickly_and_says_so()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("exec-timeout", "sleep", "1000"));

        var stopwatch = Stopwatch.StartNew();
        var result = await _runtime.ExecAsync(
            id, ["sh", "-c", "echo started; exec sleep 5"], TimeSpan.FromMilliseconds(300), CancellationToken.None);
        stopwatch.Stop();

        Assert.True(result.TimedOut);
        Assert.Equal(-1, result.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Cancelling_an_exec_throws_rather_than_reporting_a_timeout()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("exec-cancel", "sleep", "1000"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _runtime.ExecAsync(id, ["sleep", "5"], Generous, cancel.Token));
    }

    [Fact]
    public async Task A_missing_command_is_a_failed_exec_with_the_reason_in_its_output()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("exec-missing", "sleep", "1000"));

        var result = await _runtime.ExecAsync(id, ["no-such-command"], Generous, CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.Contains("no-such-command", result.Output);
    }

    [Fact]
    public async Task Exec_in_a_stopped_container_is_a_runtime_error_with_the_engine_message()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, _) = await containers.RunToCompletionAsync(containers.Spec("exec-stopped", "true"));

        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => _runtime.ExecAsync(id, ["true"], Generous, CancellationToken.None));

        Assert.Contains("is not running", error.Message);
    }

    [Fact]
    public async Task Exec_in_a_missing_container_is_a_runtime_error_with_the_engine_message()
    {
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => _runtime.ExecAsync("chas-test-no-such-container", ["true"], Generous, CancellationToken.None));

        Assert.Contains("No such container", error.Message);
    }
}
