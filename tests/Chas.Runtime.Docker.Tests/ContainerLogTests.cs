using System.Diagnostics;

namespace Chas.Runtime.Docker.Tests;

public sealed class ContainerLogTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task Stdout_and_stderr_come_back_as_separate_streams()
    {
        await using var containers = new TestContainers(_runtime);

        var (id, exit) = await containers.RunToCompletionAsync(
            containers.Spec("streams", "sh", "-c", "echo out; echo err >&2; exit 3"));

        Assert.Equal(3, exit.ExitCode);
        var lines = await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync();
        Assert.Equal(2, lines.Count);
        Assert.Contains(new LogLine(LogStream.Stdout, null, "out"), lines);
        Assert.Contains(new LogLine(LogStream.Stderr, null, "err"), lines);
    }

    [Fact]
    public async Task Timestamps_are_parsed_and_stripped_from_the_text()
    {
        await using var containers = new TestContainers(_runtime);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5); // the engine's clock, not ours, stamps the lines
        var (id, _) = await containers.RunToCompletionAsync(
            containers.Spec("stamps", "sh", "-c", "echo out; echo err >&2"));

        var lines = await _runtime.ReadLogsAsync(id, new LogOptions { Timestamps = true }, CancellationToken.None).ToListAsync();

        Assert.Equal(["err", "out"], lines.Select(line => line.Text).Order());
        Assert.Equal(LogStream.Stdout, lines.Single(line => line.Text == "out").Stream);
        Assert.Equal(LogStream.Stderr, lines.Single(line => line.Text == "err").Stream);
        Assert.All(lines, line => Assert.InRange(line.Timestamp!.Value, before, DateTimeOffset.UtcNow.AddSeconds(5)));
    }

    [Fact]
    public async Task Tail_returns_only_the_last_lines()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, _) = await containers.RunToCompletionAsync(containers.Spec("tail", "seq", "1", "5"));

        var last = await _runtime.ReadLogsAsync(id, new LogOptions { Tail = 1 }, CancellationToken.None).ToListAsync();
        var all = await _runtime.ReadLogsAsync(id, new LogOptions { Tail = null }, CancellationToken.None).ToListAsync();

        Assert.Equal("5", Assert.Single(last).Text);
        Assert.Equal(["1", "2", "3", "4", "5"], all.Select(line => line.Text));
    }

    [Fact]
    public async Task Since_skips_earlier_lines()
    {
        await using var containers = new TestContainers(_runtime);
        // The pause keeps line 1's timestamp clear of line 2's: .NET holds 100 ns, Docker stamps to the nanosecond.
        var (id, _) = await containers.RunToCompletionAsync(containers.Spec("since", "sh", "-c", "echo 1; sleep 0.1; echo 2; echo 3"));
        var stamped = await _runtime.ReadLogsAsync(id, new LogOptions { Timestamps = true }, CancellationToken.None).ToListAsync();

        var fromSecond = await _runtime.ReadLogsAsync(
            id, new LogOptions { Since = stamped[1].Timestamp }, CancellationToken.None).ToListAsync();

        Assert.Equal(["2", "3"], fromSecond.Select(line => line.Text));
    }

    [Fact]
    public async Task A_last_line_without_newline_and_multibyte_text_survive()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, _) = await containers.RunToCompletionAsync(
            containers.Spec("partial", "sh", "-c", "printf 'grüße ✓\\nno newline at the end'"));

        var lines = await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync();

        Assert.Equal(["grüße ✓", "no newline at the end"], lines.Select(line => line.Text));
    }

    [Fact]
    public async Task Follow_delivers_lines_as_they_are_written_and_ends_with_the_container()
    {
        await using var containers = new TestContainers(_runtime);
        // Two seconds of output, a line every 200 ms: long enough that a cold first read cannot catch up with it.
        var id = await containers.StartAsync(containers.Spec(
            "follow", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i; sleep 0.2; done"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        var arrivals = new List<(string Text, TimeSpan At)>();
        ContainerState? stateAtFirstLine = null;
        await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, deadline.Token))
        {
            arrivals.Add((line.Text, clock.Elapsed));
            stateAtFirstLine ??= (await _runtime.InspectAsync(id, deadline.Token))?.State;
        }

        // Reaching here at all means the stream ended on its own; the deadline would have thrown instead.
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"line{i}"), arrivals.Select(arrival => arrival.Text));
        // Delivered live: the first line came while the container was still writing, the rest trickled in after it.
        Assert.Equal(ContainerState.Running, stateAtFirstLine);
        Assert.True(arrivals[^1].At - arrivals[0].At > TimeSpan.FromMilliseconds(500),
            $"lines arrived within {(arrivals[^1].At - arrivals[0].At).TotalMilliseconds} ms of each other");
    }

    [Fact]
    public async Task Cancelling_a_follow_ends_the_enumeration()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("follow-cancel", "sh", "-c", "echo started; exec sleep 1000"));
        using var cancel = new CancellationTokenSource();

        var seen = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, cancel.Token))
            {
                seen.Add(line.Text);
                cancel.Cancel(); // the container keeps running; only the cancellation can end this
            }
        });

        Assert.Equal(["started"], seen);
    }

    [Fact]
    public async Task Logs_of_a_missing_container_are_a_runtime_error()
    {
        await Assert.ThrowsAsync<RuntimeException>(async () =>
            await _runtime.ReadLogsAsync("chas-test-no-such-container", new LogOptions(), CancellationToken.None).ToListAsync());
    }
}
