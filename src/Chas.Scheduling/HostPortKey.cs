namespace Chas.Scheduling;

/// <summary>
/// The "port/protocol" keys of <see cref="NodeSnapshot.UsedPorts"/>, e.g. "20001/tcp".
/// Lookups format the key on the stack when the set is a <see cref="HashSet{T}"/>, because the
/// filters ask "is 8080/tcp used?" once per node and a string per node adds up on 5,000 nodes.
/// </summary>
public static class HostPortKey
{
    // "65535/" plus a protocol; longer protocols fall back to an allocated string.
    private const int StackKeyLength = 16;

    public static string Format(int port, string protocol) => $"{port}/{protocol}";

    public static bool IsUsed(IReadOnlySet<string> usedPorts, int port, string protocol)
    {
        if (usedPorts.Count == 0) return false;
        Span<char> buffer = stackalloc char[StackKeyLength];
        if (usedPorts is HashSet<string> hashSet
            && hashSet.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup)
            && TryFormat(port, protocol, buffer, out var written))
        {
            return lookup.Contains(buffer[..written]);
        }
        return usedPorts.Contains(Format(port, protocol));
    }

    /// <summary>Splits a key; false for anything that is not "number/protocol".</summary>
    public static bool TryParse(ReadOnlySpan<char> key, out int port, out ReadOnlySpan<char> protocol)
    {
        var slash = key.IndexOf('/');
        protocol = slash < 0 ? default : key[(slash + 1)..];
        port = 0;
        return slash > 0 && int.TryParse(key[..slash], out port);
    }

    /// <summary>How many used ports with this protocol lie inside the range.</summary>
    public static int CountUsedInRange(IReadOnlySet<string> usedPorts, Contracts.PortRange range, string protocol)
    {
        var count = 0;
        foreach (var key in usedPorts)
        {
            if (TryParse(key, out var port, out var keyProtocol)
                && range.Contains(port)
                && keyProtocol.SequenceEqual(protocol))
            {
                count++;
            }
        }
        return count;
    }

    private static bool TryFormat(int port, string protocol, Span<char> buffer, out int written)
    {
        written = 0;
        if (!port.TryFormat(buffer, out var digits)) return false;
        var rest = buffer[digits..];
        if (rest.Length < protocol.Length + 1) return false;
        rest[0] = '/';
        protocol.AsSpan().CopyTo(rest[1..]);
        written = digits + 1 + protocol.Length;
        return true;
    }
}
