using System.Diagnostics;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

public sealed class LogsTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    /// <summary>
    /// Ten lines, one every 200 ms: about two seconds of output, after a second of quiet that lets a
    /// `chas logs -f` started once the task runs connect before the first line.
    /// </summary>
    private static readonly string[] Ticker = ["sh", "-c", "sleep 1; for i in $(seq 1 10); do echo line-$i; sleep 0.2; done"];
    private static readonly string[] AllLines = [.. Enumerable.Range(1, 10).Select(i => $"line-{i}")];

    [Fact]
    public async Task Logs_follow_streams_lines_as_they_are_printed_and_exits_when_the_task_ends()
    {
        await Dev.RunTaskAsync("ticker-follow", Ticker);
        await Dev.WaitForStatusAsync("ticker-follow", TaskPhase.Running);

        var clock = Stopwatch.StartNew();
        var arrivals = new List<(string Line, TimeSpan At)>();
        var firstLine = new TaskCompletionSource<TaskPhase>(TaskCreationOptions.RunContinuationsAsynchronously);
        var follow = Dev.Cli.RunAsync(["logs", "-f", "ticker-follow"], TimeSpan.FromSeconds(30), line =>
        {
            lock (arrivals) arrivals.Add((line, clock.Elapsed));
            firstLine.TrySetResult(default);
        });

        // When the first line is in, the task must still be printing: the lines come as they are written, not at the end.
        await firstLine.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var whenFirstArrived = await Dev.Client.GetTaskAsync("ticker-follow");
        Assert.Equal(TaskPhase.Running, whenFirstArrived.Status);

        var result = await follow;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(AllLines, result.StdoutLines);
        Assert.Equal("", result.Stderr);
        // The command ended because the task did, not because it gave up early.
        var ended = await Dev.WaitForStatusAsync("ticker-follow", TaskPhase.Completed, TimeSpan.FromSeconds(5));
        Assert.Equal(0, ended.ExitCode);
        lock (arrivals)
        {
            // Lines written 200 ms apart arrived one by one, not in one burst at the end.
            var arrivedAlone = arrivals.Zip(arrivals.Skip(1), (previous, next) => next.At - previous.At).Count(gap => gap >= TimeSpan.FromMilliseconds(100));
            Assert.True(arrivedAlone >= 5, $"only {arrivedAlone} lines came 100 ms or more after the one before: "
                + string.Join(", ", arrivals.Select(a => $"{a.Line}@{a.At.TotalMilliseconds:0}ms")));
        }
    }

    [Fact]
    public async Task Logs_tail_2_of_a_finished_task_prints_exactly_its_last_two_lines()
    {
        await Dev.RunTaskAsync("ticker-tail", Ticker);
        await Dev.WaitForStatusAsync("ticker-tail", TaskPhase.Completed);

        var result = await Dev.Cli.RunAsync("logs", "--tail", "2", "ticker-tail");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("line-9\nline-10\n", result.Stdout);
    }
}
