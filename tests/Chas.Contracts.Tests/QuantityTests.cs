using Chas.Contracts;

namespace Chas.Contracts.Tests;

public class QuantityTests
{
    [Theory]
    [InlineData("256Mi", 256L << 20)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("512M", 512_000_000L)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("1048576", 1048576L)]
    [InlineData("64Ki", 65536L)]
    public void Memory_parses_binary_and_decimal_suffixes(string text, long expected)
    {
        Assert.True(Quantity.TryParseMemory(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1Mi")]
    [InlineData("1Xi")]
    [InlineData("99999999999999Ti")]
    public void Memory_rejects_nonsense(string text) => Assert.False(Quantity.TryParseMemory(text, out _));

    [Theory]
    [InlineData("0.5", 500)]
    [InlineData("2", 2000)]
    [InlineData("250m", 250)]
    [InlineData("0.001", 1)]
    public void Cpu_parses_cores_and_millicores(string text, long expected)
    {
        Assert.True(Quantity.TryParseCpuMillis(text, out var millis));
        Assert.Equal(expected, millis);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e9")]
    public void Cpu_rejects_nonsense(string text) => Assert.False(Quantity.TryParseCpuMillis(text, out _));

    [Theory]
    [InlineData("80", 80, null, "tcp")]
    [InlineData("8080:80", 80, 8080, "tcp")]
    [InlineData("53/udp", 53, null, "udp")]
    [InlineData("5353:53/udp", 53, 5353, "udp")]
    public void Port_specs_parse_like_docker(string text, int container, int? host, string protocol)
    {
        Assert.True(Quantity.TryParsePort(text, out var mapping));
        Assert.Equal(new PortMapping { ContainerPort = container, HostPort = host, Protocol = protocol }, mapping);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("1:2:3")]
    [InlineData("")]
    [InlineData("-5")]
    public void Port_specs_reject_nonsense(string text) => Assert.False(Quantity.TryParsePort(text, out _));

    [Theory]
    [InlineData(256L << 20, "256Mi")]
    [InlineData(2L << 30, "2Gi")]
    [InlineData(1000, "1000")]
    public void Memory_formats_readably(long bytes, string expected) => Assert.Equal(expected, Quantity.FormatMemory(bytes));
}
