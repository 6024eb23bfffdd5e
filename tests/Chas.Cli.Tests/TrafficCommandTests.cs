using System.CommandLine;
using Chas.Commands;

namespace Chas.Cli.Tests;

/// <summary>`chas traffic` parses as docs/cli.md writes it (nothing is invoked).</summary>
public sealed class TrafficCommandTests
{
    private static readonly RootCommand Root = new("test") { TrafficCommand.Create() };

    [Theory]
    [InlineData("traffic")]
    [InlineData("traffic -A -o wide")]
    [InlineData("traffic web -n team -o json")]
    [InlineData("traffic --all-namespaces -o yaml")]
    public void Parses_without_errors(string line) => Assert.Empty(Root.Parse(line.Split(' ')).Errors);

    [Theory]
    [InlineData("traffic web api")]
    [InlineData("traffic -o csv")]
    [InlineData("traffic web -n")]
    public void Refuses_what_it_does_not_take(string line) => Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);
}
