namespace Chas.Ingress.Traffic;

/// <summary>
/// Requests per second over the last minute, from the running totals the reporter reads at each
/// tick: (total now − total at the oldest reading within the minute) ÷ the time between them.
/// Used by the reporter's one loop only, so it needs no lock.
/// </summary>
internal sealed class RequestRateWindow(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, IReadOnlyDictionary<string, long> Totals)> _readings = new();

    /// <summary>Adds this reading and answers the rate of each key; a key the oldest reading lacks started from 0.</summary>
    public Dictionary<string, double> Record(DateTimeOffset now, IReadOnlyDictionary<string, long> totals)
    {
        while (_readings.Count > 0 && now - _readings.Peek().At > window) _readings.Dequeue();
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_readings.TryPeek(out var oldest) && now > oldest.At)
        {
            var seconds = (now - oldest.At).TotalSeconds;
            foreach (var (key, total) in totals)
                rates[key] = Math.Max(0, total - oldest.Totals.GetValueOrDefault(key)) / seconds;
        }
        _readings.Enqueue((now, totals));
        return rates;
    }
}
