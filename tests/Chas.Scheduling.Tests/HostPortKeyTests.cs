namespace Chas.Scheduling.Tests;

public class HostPortKeyTests
{
    [Fact]
    public void Format_is_port_slash_protocol() => Assert.Equal("20001/udp", HostPortKey.Format(20001, "udp"));

    [Theory]
    [InlineData("20001/tcp", true, 20001, "tcp")]
    [InlineData("20001", false, 0, "")]
    [InlineData("/tcp", false, 0, "tcp")]
    [InlineData("x/tcp", false, 0, "tcp")]
    public void TryParse_splits_keys(string key, bool ok, int port, string protocol)
    {
        Assert.Equal(ok, HostPortKey.TryParse(key, out var parsedPort, out var parsedProtocol));
        Assert.Equal(port, parsedPort);
        Assert.Equal(protocol, parsedProtocol.ToString());
    }

    [Fact]
    public void IsUsed_agrees_for_hash_sets_other_sets_and_long_protocols()
    {
        var longProtocol = new string('p', 40);
        string[] keys = ["80/tcp", $"81/{longProtocol}"];
        IReadOnlySet<string>[] sets = [new HashSet<string>(keys), new HashSet<string>(keys, StringComparer.Ordinal), new SortedSet<string>(keys)];
        foreach (var set in sets)
        {
            Assert.True(HostPortKey.IsUsed(set, 80, "tcp"));
            Assert.False(HostPortKey.IsUsed(set, 80, "udp"));
            Assert.False(HostPortKey.IsUsed(set, 8, "tcp"));
            Assert.True(HostPortKey.IsUsed(set, 81, longProtocol));
        }
    }
}
