using System.CommandLine;
using Chas.Client;
using Chas.Commands;

namespace Chas.Cli.Tests;

/// <summary>Command-line mistakes are refused in one line that names them, before anything runs.</summary>
public sealed class UsageErrorTests
{
    private static readonly RootCommand Root = new("chas")
    {
        TaskCommands.Run(), DeploymentCommands.Deploy(), DeploymentCommands.Rollout(), ExecCommand.Create(), ServerCommand.Create(),
    };

    private static string? Describe(string line) => UsageErrors.Describe(Root.Parse(line.Split(' ')));

    [Theory]
    [InlineData("deploy web --image nginx --replica 3", "unknown option '--replica'")]
    [InlineData("run job --image busybox --bogus -- echo hi", "unknown option '--bogus'")]
    [InlineData("deploy web --image nginx --replicas abc", "--replicas: 'abc' is not a whole number")]
    [InlineData("server --port 70000", "--port: 70000 is not a port")]
    public void Mistakes_are_named_in_one_line(string line, string expected)
    {
        var message = Describe(line);

        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exec web ls -la")]
    [InlineData("deploy web --image nginx -- --weird-flag")]
    [InlineData("run job --image busybox -- echo --bogus")]
    [InlineData("deploy web --image nginx sleep 1000")]
    public void A_command_that_starts_with_a_plain_word_or_after_the_double_dash_is_the_containers(string line)
    {
        Assert.Null(Describe(line));
    }

    [Fact]
    public void Durations_past_ten_years_are_refused_and_long_waits_do_not_overflow_timers()
    {
        Assert.False(Durations.TryParse("99999999999h", out _));
        Assert.True(Durations.TryParse("3650d", out _));
        Assert.Equal(Timeout.InfiniteTimeSpan, Durations.ForTimer(TimeSpan.FromDays(60)));
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(Durations.ForTimer(TimeSpan.FromDays(60)));
        Assert.Equal(TimeSpan.FromDays(2), Durations.ForTimer(TimeSpan.FromDays(2)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task An_empty_or_dot_name_is_refused_before_any_request(string name)
    {
        // Port 1: a request would fail with a connection error, not the ArgumentException asserted here.
        using var client = new ChasClient(new Uri("http://127.0.0.1:1/"), "token");
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetTaskAsync(name));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteDeploymentAsync(name));
    }
}
