using System.Threading.Channels;

namespace Chas.Client.Informers;

/// <summary>
/// Several informers run and waited on together, with one coalesced signal: any number of changes (of the kinds
/// and fields that matter to the reader) between two reads wake <see cref="WaitForChangeAsync"/> once.
/// </summary>
public sealed class InformerGroup : IAsyncDisposable
{
    private readonly List<IInformer> _informers = [];
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private CancellationTokenSource? _stop;
    private Task? _running;

    /// <summary>True once every informer has listed once.</summary>
    public bool HasSynced => _informers.All(i => i.HasSynced);

    /// <summary>Adds an informer whose every change (and every list) raises the signal.</summary>
    public Informer<T> Add<T>(Informer<T> informer)
        where T : class
    {
        _informers.Add(informer);
        informer.Changed += Signal;
        return informer;
    }

    /// <summary>
    /// Adds an informer whose lists raise the signal, but whose watch changes do only when <paramref name="matters"/>
    /// says the change from the first object to the second does (null: added or deleted).
    /// </summary>
    public Informer<T> Add<T>(Informer<T> informer, Func<T?, T?, bool> matters)
        where T : class
    {
        _informers.Add(informer);
        informer.AddHandler(new InformerHandler<T>
        {
            DeliverListDifferences = false,
            Added = (item, _) => SignalIf(matters(null, item)),
            Updated = (old, current, _) => SignalIf(matters(old, current)),
            Deleted = (item, _) => SignalIf(matters(item, null)),
            Synced = (_, _) => SignalIf(true),
        });
        return informer;
    }

    /// <summary>Completes when something changed since the last call; many changes wake it once.</summary>
    public async Task WaitForChangeAsync(CancellationToken ct) => await _changes.Reader.ReadAsync(ct);

    public async Task WaitForSyncAsync(CancellationToken ct = default) =>
        await Task.WhenAll(_informers.Select(i => i.WaitForSyncAsync(ct)));

    /// <summary>Runs every informer until <paramref name="ct"/> fires.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(_informers.Select(i => i.RunAsync(ct)));

    public void Start(CancellationToken ct = default)
    {
        if (_running is not null) throw new InvalidOperationException("the informers are already running");
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = _stop.Token;
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    private void Signal() => _changes.Writer.TryWrite(true);

    private ValueTask SignalIf(bool matters)
    {
        if (matters) Signal();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _stop?.Cancel();
        if (_running is not null) await _running;
        _stop?.Dispose();
    }
}
