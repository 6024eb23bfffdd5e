using System.CommandLine;
using Chas.Commands;
using Chas.Server.Hosting;

namespace Chas.Cli.Tests;

/// <summary>`chas server` TLS flags: they parse, and pick the mode and scheme (nothing is started).</summary>
public sealed class ServerTlsFlagsTests
{
    private static readonly RootCommand Root = new("test") { ServerCommand.Create(), DevCommand.Create() };

    [Theory]
    [InlineData("server --tls --tls-san chas.example.com --tls-san 10.0.0.5")]
    [InlineData("server --tls-cert server.crt --tls-key server.key")]
    [InlineData("dev --tls")]
    public void Parses_without_errors(string line)
    {
        Assert.Empty(Root.Parse(line.Split(' ')).Errors);
    }

    [Fact]
    public void Tls_san_is_repeatable()
    {
        var server = Root.Subcommands.Single(c => c.Name == "server");
        var san = (Option<string[]>)server.Options.Single(o => o.Name == "--tls-san");

        var result = Root.Parse(["server", "--tls", "--tls-san", "a.example", "--tls-san", "10.0.0.5"]);

        Assert.Equal(["a.example", "10.0.0.5"], result.GetValue(san)!);
    }

    [Fact]
    public void Flags_pick_the_mode_and_the_scheme()
    {
        Assert.Equal(TlsMode.None, ServerCommand.TlsModeFrom(false, null, null, []));
        Assert.Equal(TlsMode.SelfSigned, ServerCommand.TlsModeFrom(true, null, null, ["a.example"]));
        Assert.Equal(TlsMode.Files, ServerCommand.TlsModeFrom(false, "c.pem", "k.pem", []));
        Assert.Equal("https://0.0.0.0:8443", ServerCommand.Url("0.0.0.0", 8443, https: true));
        Assert.Equal("http://[::1]:8080", ServerCommand.Url("::1", 8080));
    }

    [Theory]
    [InlineData(false, "c.pem", null)]
    [InlineData(true, "c.pem", "k.pem")]
    [InlineData(false, null, null, "a.example")]
    public void Contradicting_flags_are_refused(bool tls, string? cert, string? key, string? san = null)
    {
        Assert.Throws<CliException>(() => ServerCommand.TlsModeFrom(tls, cert, key, san is null ? [] : [san]));
    }
}
