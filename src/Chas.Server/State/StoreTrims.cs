using Chas.Store;

namespace Chas.Server.State;

/// <summary>
/// Deletes of old log entries (events, audit) beyond their history, made by every server that wrote them. Several
/// servers on one store may trim the same old entry: one commit for all, and when another server got to one first,
/// the rest one by one, so that entry alone is skipped.
/// </summary>
internal static class StoreTrims
{
    public static async Task DeleteAsync(IObjectStore store, IReadOnlyList<WriteOp> deletes, CancellationToken ct)
    {
        try
        {
            await store.CommitAsync(deletes, ct);
            return;
        }
        catch (ConflictException) when (deletes.Count > 1)
        {
        }
        catch (ConflictException)
        {
            return;
        }
        catch (StoreUnavailableException)
        {
            // Old entries outliving their history while the database is away cost a little space, not correctness.
            return;
        }
        foreach (var delete in deletes)
        {
            try { await store.CommitAsync([delete], ct); }
            catch (ConflictException) { }
            catch (StoreUnavailableException) { return; }
        }
    }
}
