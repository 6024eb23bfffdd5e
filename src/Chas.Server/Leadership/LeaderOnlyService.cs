using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Leadership;

/// <summary>
/// A background service that works only while this server leads: it waits for a term, runs
/// <see cref="RunAsLeaderAsync"/> inside the term's <see cref="StoreFence"/> (so every commit it makes, however
/// deep, is refused once the term is over) with a token cancelled when the term ends, and then waits for the
/// next term. A write fenced out ends the term quietly instead of failing the host. Derived services must let
/// <see cref="FencedOutException"/> through their own error handling.
/// </summary>
public abstract partial class LeaderOnlyService(LeaderElection election) : BackgroundService
{
    protected LeaderElection Election { get; } = election;

    /// <summary>The derived service's logger, for the term transitions it goes through.</summary>
    protected abstract ILogger Logger { get; }

    /// <summary>The service's work for one term; runs until <paramref name="stoppingToken"/> is cancelled (the term ended or the server stops).</summary>
    protected abstract Task RunAsLeaderAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = GetType().Name;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var term = await Election.WaitForTermAsync(stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term.Lost);
                try
                {
                    using (term.Fence is { } fence ? StoreFence.Enter(fence) : null)
                    {
                        await RunAsLeaderAsync(leading.Token);
                    }
                    // Done before the term is: nothing more to do in it.
                    await Task.Delay(Timeout.InfiniteTimeSpan, leading.Token);
                }
                catch (OperationCanceledException) when (leading.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    LogPaused(Logger, name, term.EndReason ?? "the term ended");
                }
                catch (FencedOutException ex)
                {
                    LogFencedOut(Logger, name, ex.Message);
                    Election.EndTerm(term, $"{name}'s write was fenced out: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Information, Message = "{Service} paused until this server leads again: {Reason}")]
    private static partial void LogPaused(ILogger logger, string service, string reason);

    [LoggerMessage(EventId = 2611, Level = LogLevel.Warning, Message = "{Service} stopped: its write was refused because this server no longer leads ({Detail})")]
    private static partial void LogFencedOut(ILogger logger, string service, string detail);
}
