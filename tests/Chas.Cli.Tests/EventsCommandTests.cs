using System.CommandLine;
using Chas.Commands;
using Chas.Contracts;

namespace Chas.Cli.Tests;

/// <summary>`chas events` parses as docs/cli.md writes it, and folds repeats into LAST SEEN as kubectl does.</summary>
public sealed class EventsCommandTests
{
    private static readonly RootCommand Root = new("test") { EventsCommand.Create() };

    [Theory]
    [InlineData("events")]
    [InlineData("events web")]
    [InlineData("events web -w")]
    [InlineData("events --watch -A -o json")]
    [InlineData("events -n team --kind node")]
    [InlineData("events web -o table")]
    public void Parses_without_errors(string line) => Assert.Empty(Root.Parse(line.Split(' ')).Errors);

    [Theory]
    [InlineData("events --kind pod")]
    [InlineData("events a b")]
    public void Wrong_flags_are_parse_errors(string line) => Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);

    [Fact]
    public void A_folded_repeat_shows_its_count_and_span_in_last_seen()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var once = new EventResource { Time = now.AddSeconds(-5), FirstTime = now.AddSeconds(-5), Count = 1 };
        var thrice = once with { FirstTime = now.AddMinutes(-2).AddSeconds(-5), Count = 3 };

        Assert.Equal("5s", EventsCommand.LastSeen(once, now));
        Assert.Equal("5s (x3 over 2m)", EventsCommand.LastSeen(thrice, now));
        Assert.Equal("node/n1", EventsCommand.ObjectOf(new EventResource { Kind = EventKinds.Node, Name = "n1" }));
    }
}
