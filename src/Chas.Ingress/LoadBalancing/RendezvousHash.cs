using System.Text;

namespace Chas.Ingress.LoadBalancing;

/// <summary>
/// Highest-random-weight hashing: every (key, candidate) pair gets a score and the key goes to the
/// highest-scoring candidate. Removing a candidate moves only the keys it held; adding one takes
/// about 1/n of the keys from the others. Stable across processes (no per-process string hashing).
/// </summary>
internal static class RendezvousHash
{
    public static T? Pick<T>(string key, IReadOnlyList<T> candidates, Func<T, string> idOf) where T : class
    {
        T? best = null;
        ulong bestScore = 0;
        string? bestId = null;
        var keyHash = Fnv1a(Fnv1aOffset, key);
        for (var i = 0; i < candidates.Count; i++)
        {
            var id = idOf(candidates[i]);
            var score = Score(keyHash, id);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(id, bestId) < 0))
            {
                best = candidates[i];
                bestScore = score;
                bestId = id;
            }
        }
        return best;
    }

    internal static ulong Score(string key, string candidate) => Score(Fnv1a(Fnv1aOffset, key), candidate);

    private static ulong Score(ulong keyHash, string candidate) => Mix(Fnv1a(keyHash ^ 0x9E3779B97F4A7C15UL, candidate));

    private const ulong Fnv1aOffset = 14695981039346656037UL;
    private const ulong Fnv1aPrime = 1099511628211UL;

    private static ulong Fnv1a(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Fnv1aPrime;
        }
        return hash;
    }

    /// <summary>SplitMix64's finalizer: FNV's low bits are weak, this spreads them over the whole word.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
