using System.Security.Cryptography;
using System.Text;

namespace Chas.Store;

/// <summary>A store that can say which kinds it holds, so that all of it can be copied without knowing the kinds in advance.</summary>
public interface IStoreKinds
{
    /// <summary>Every kind with at least one object, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListKindsAsync(CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="StoreCopy.CopyAsync"/> copied, and the checksums that prove nothing was lost.</summary>
public sealed record StoreCopyReport(IReadOnlyDictionary<string, int> CountsByKind, string SourceChecksum, string TargetChecksum)
{
    public int Total => CountsByKind.Values.Sum();
    public bool Matches => SourceChecksum == TargetChecksum;
}

/// <summary>
/// Moves a whole cluster's state from one store into an empty one (`chas admin migrate`: SQLite into PostgreSQL).
/// Objects keep their kind, key and JSON; versions are the target's own revisions, as after any restore.
/// Afterwards both sides are listed again and compared by a checksum over every (kind, key, JSON), so a copy
/// that lost or changed anything says so instead of passing silently.
/// </summary>
public static class StoreCopy
{
    public const int BatchSize = 500;

    /// <exception cref="InvalidOperationException">The target already holds objects: a copy never merges into live state.</exception>
    public static async Task<StoreCopyReport> CopyAsync(IObjectStore source, IObjectStore target, IProgress<(string Kind, int Copied)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var sourceKinds = await KindsOf(source, cancellationToken);
        var targetKinds = await KindsOf(target, cancellationToken);
        if (targetKinds.Count > 0)
        {
            throw new InvalidOperationException($"the target store is not empty (it holds {string.Join(", ", targetKinds)}); migrate into an empty database");
        }

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var kind in sourceKinds)
        {
            var list = await source.ListAsync(kind, cancellationToken);
            foreach (var batch in list.Items.Chunk(BatchSize))
            {
                await target.CommitAsync([.. batch.Select(o => WriteOp.Create(o.Kind, o.Key, o.Json))], cancellationToken);
                counts[kind] = counts.GetValueOrDefault(kind) + batch.Length;
                progress?.Report((kind, counts[kind]));
            }
        }

        return new StoreCopyReport(counts,
            await ChecksumAsync(source, sourceKinds, cancellationToken),
            await ChecksumAsync(target, sourceKinds, cancellationToken));
    }

    /// <summary>SHA-256 over every object's kind, key and JSON, in kind then key order (ordinal): equal for equal contents whatever the engine.</summary>
    public static async Task<string> ChecksumAsync(IObjectStore store, IReadOnlyList<string> kinds, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var kind in kinds.Order(StringComparer.Ordinal))
        {
            var list = await store.ListAsync(kind, cancellationToken);
            foreach (var item in list.Items.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                // Lengths first, so that no two different sequences of fields hash the same bytes.
                foreach (var field in new[] { item.Kind, item.Key, item.Json })
                {
                    var bytes = Encoding.UTF8.GetBytes(field);
                    hash.AppendData(BitConverter.GetBytes(bytes.Length));
                    hash.AppendData(bytes);
                }
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<IReadOnlyList<string>> KindsOf(IObjectStore store, CancellationToken cancellationToken) =>
        store is IStoreKinds kinds
            ? await kinds.ListKindsAsync(cancellationToken)
            : throw new NotSupportedException($"{store.GetType().Name} cannot list its kinds, so it cannot be copied whole");
}
