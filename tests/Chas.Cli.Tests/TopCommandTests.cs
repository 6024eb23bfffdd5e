using System.CommandLine;
using Chas.Commands;

namespace Chas.Cli.Tests;

/// <summary>`chas top` parses as docs/cli.md writes it (nothing is invoked), and prints sizes as `docker stats` does.</summary>
public sealed class TopCommandTests
{
    private static readonly RootCommand Root = new("test") { TopCommand.Create() };

    [Theory]
    [InlineData("top")]
    [InlineData("top -A -o json")]
    [InlineData("top instances -n team -w")]
    [InlineData("top instances --all-namespaces -o table")]
    [InlineData("top nodes -o json --watch")]
    public void Parses_without_errors(string line) => Assert.Empty(Root.Parse(line.Split(' ')).Errors);

    [Theory]
    [InlineData("top nodes -n team")]
    [InlineData("top pods")]
    public void Refuses_what_it_does_not_take(string line) => Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(999L, "999B")]
    [InlineData(1_234L, "1.23kB")]
    [InlineData(12_345_678L, "12.3MB")]
    [InlineData(512_000_000L, "512MB")]
    public void Sizes_are_decimal_with_three_digits(long bytes, string expected) => Assert.Equal(expected, TopCommand.Bytes(bytes));
}
