using Chas.Contracts;

namespace Chas.Agent.Stats;

/// <summary>
/// The last <see cref="Capacity"/> samples of one container or the node, oldest overwritten first: ten minutes at
/// one sample a second in a fixed amount of memory. One writer (the sampler), any number of readers.
/// </summary>
internal sealed class StatsRing(int capacity = StatsRing.DefaultCapacity)
{
    public const int DefaultCapacity = 600;

    private readonly StatsSample[] _samples = new StatsSample[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public int Capacity => _samples.Length;

    public void Add(StatsSample sample)
    {
        lock (_lock)
        {
            _samples[_next] = sample;
            _next = (_next + 1) % _samples.Length;
            if (_count < _samples.Length) _count++;
        }
    }

    public StatsSample? Latest
    {
        get
        {
            lock (_lock) return _count == 0 ? null : _samples[(_next - 1 + _samples.Length) % _samples.Length];
        }
    }

    /// <summary>Samples taken after <paramref name="since"/> (all when null), oldest first.</summary>
    public IReadOnlyList<StatsSample> Since(DateTimeOffset? since)
    {
        lock (_lock)
        {
            var result = new List<StatsSample>(_count);
            var oldest = (_next - _count + _samples.Length) % _samples.Length;
            for (var i = 0; i < _count; i++)
            {
                var sample = _samples[(oldest + i) % _samples.Length];
                if (since is null || sample.Time > since) result.Add(sample);
            }
            return result;
        }
    }
}
