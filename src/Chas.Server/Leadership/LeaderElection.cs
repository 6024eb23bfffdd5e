using System.Security.Cryptography;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Leadership;

/// <summary>
/// Makes exactly one of the servers on one store the leader, through the lease <see cref="LeaseName"/> in the
/// store (see <see cref="ILeaseStore"/>): every server tries to take it each <see cref="ServerOptions.LeaseRenewInterval"/>;
/// the holder renews it as often and runs its terms (<see cref="LeaderTerm"/>) until a renewal is refused, or none
/// succeeds within <see cref="RenewDeadline"/> (the lease less one renew interval, as Kubernetes' renew deadline) on
/// this server's clock — so a leader cut off from the database steps down before the lease can pass to another,
/// with a margin for the database's clock and the round trip. A clean stop releases the lease so that another
/// server takes over at once. Without a lease store (a test's fake) the server is simply always leader.
/// </summary>
public sealed partial class LeaderElection : BackgroundService
{
    public const string LeaseName = "leader";
    /// <summary>How long after the holder's expiry a follower tries to take the lease (see <see cref="UntilNextAttempt"/>).</summary>
    private static readonly TimeSpan PastExpiry = TimeSpan.FromMilliseconds(20);

    private readonly ILeaseStore? _leases;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaderElection> _logger;
    private readonly Lock _lock = new();
    private LeaderTerm? _term;
    private TaskCompletionSource<LeaderTerm> _nextTerm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _leader;

    public LeaderElection(ILeaseStore? leases, ServerOptions options, TimeProvider time, ILogger<LeaderElection> logger)
    {
        if (options.LeaseRenewInterval <= TimeSpan.Zero || options.LeaseRenewInterval >= options.LeaseDuration)
            throw new ArgumentException($"the lease renew interval ({options.LeaseRenewInterval}) must be positive and shorter than the lease ({options.LeaseDuration})");
        (_leases, _options, _time, _logger) = (leases, options, time, logger);
        ServerId = NewServerId();
        // Known before the host starts: API requests and the controllers need not wait for ExecuteAsync.
        if (leases is null) Begin(null);
    }

    /// <summary>How long a leader goes on without a successful renewal before it steps down.</summary>
    public TimeSpan RenewDeadline => _options.LeaseDuration - _options.LeaseRenewInterval;

    /// <summary>This server among all on the store: host name, process id and a random part (two servers in one process differ too).</summary>
    public string ServerId { get; }

    /// <summary>The term running now; null while this server follows.</summary>
    public LeaderTerm? CurrentTerm { get { lock (_lock) return _term is { IsActive: true } term ? term : null; } }

    public bool IsLeader => CurrentTerm is not null;

    /// <summary>The holder of the lease as last seen (this server while it leads); null when unknown or free.</summary>
    public string? Leader { get { lock (_lock) return _term is { IsActive: true } ? ServerId : _leader; } }

    /// <summary>The current term, or the next one when this server follows.</summary>
    public Task<LeaderTerm> WaitForTermAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _term is { IsActive: true } term ? Task.FromResult(term) : _nextTerm.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Ends <paramref name="term"/> early (a write of it was fenced out); the election then tries to lead again at once.</summary>
    public void EndTerm(LeaderTerm term, string reason)
    {
        if (term.Fence is null) return; // Always leader: a fence-less term cannot be fenced out.
        if (term.End(reason)) LogSteppedDown(_logger, ServerId, term.Fence.Token, reason);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_leases is null)
        {
            LogAlwaysLeader(_logger, ServerId);
            return;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var attemptStarted = _time.GetTimestamp();
                LeaseRecord? lease = null;
                try
                {
                    lease = await _leases.TryAcquireAsync(LeaseName, ServerId, _options.LeaseDuration, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogAcquireFailed(_logger, ex);
                }
                if (lease?.Holder == ServerId)
                {
                    var term = Begin(new Fence(LeaseName, lease.Token));
                    LogBecameLeader(_logger, ServerId, lease.Token);
                    var reason = await HoldAsync(term, lease.Token, attemptStarted, stoppingToken);
                    if (term.End(reason) && !stoppingToken.IsCancellationRequested) LogSteppedDown(_logger, ServerId, lease.Token, reason);
                    // Lost or fenced out: try again at once; the store says whether another server holds it now.
                    continue;
                }
                Following(lease);
                await Task.Delay(UntilNextAttempt(lease), _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Renews the lease until the term ends; returns why it ended. Releases the lease when the server stops.</summary>
    private async Task<string> HoldAsync(LeaderTerm term, long token, long lastRenewal, CancellationToken stoppingToken)
    {
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term.Lost);
        var lastAttemptFailed = false;
        while (true)
        {
            var untilDeadline = RenewDeadline - _time.GetElapsedTime(lastRenewal);
            try
            {
                // After a failed renewal, wake at the deadline at the latest, to step down on time.
                var wait = lastAttemptFailed && untilDeadline < _options.LeaseRenewInterval ? untilDeadline : _options.LeaseRenewInterval;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, holding.Token);
                untilDeadline = RenewDeadline - _time.GetElapsedTime(lastRenewal);
                if (lastAttemptFailed && untilDeadline <= TimeSpan.Zero) return $"no renewal of the lease within {RenewDeadline}";
                // A renewal due after the deadline with no failure before it (this process was paused) still asks the
                // database, which knows whether the lease moved; meanwhile the fence refuses any write if it did.
                var limit = untilDeadline > TimeSpan.Zero ? untilDeadline : _options.LeaseRenewInterval;
                var attemptStarted = _time.GetTimestamp();
                var renewed = await _leases!.RenewAsync(LeaseName, ServerId, token, _options.LeaseDuration, holding.Token)
                    .WaitAsync(limit, _time, holding.Token);
                if (!renewed) return "the lease passed to another server";
                lastRenewal = attemptStarted;
                lastAttemptFailed = false;
            }
            catch (OperationCanceledException) when (holding.IsCancellationRequested)
            {
                if (!stoppingToken.IsCancellationRequested) return term.EndReason ?? "the term ended";
                await ReleaseAsync(token);
                return "the server is stopping";
            }
            catch (TimeoutException)
            {
                return $"no renewal of the lease within {RenewDeadline}";
            }
            catch (Exception ex)
            {
                LogRenewFailed(_logger, ex);
                lastAttemptFailed = true;
            }
        }
    }

    private async Task ReleaseAsync(long token)
    {
        try
        {
            await _leases!.ReleaseAsync(LeaseName, ServerId, token, CancellationToken.None).WaitAsync(_options.LeaseRenewInterval, _time);
            LogReleased(_logger, ServerId, token);
        }
        catch (Exception ex)
        {
            // The lease then simply expires.
            LogReleaseFailed(_logger, ex);
        }
    }

    private LeaderTerm Begin(Fence? fence)
    {
        LeaderTerm term;
        lock (_lock)
        {
            var continuesOwn = _leader == ServerId && _term is not null;
            term = new LeaderTerm(fence, continuesOwn ? _term!.LeadingSince : _time.GetUtcNow());
            _term = term;
            _leader = ServerId;
            var waiting = _nextTerm;
            _nextTerm = new TaskCompletionSource<LeaderTerm>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.SetResult(term);
        }
        return term;
    }

    /// <summary>
    /// A follower tries again after one renew interval, or as the holder's lease runs out when that comes sooner: a
    /// dead leader's successor then takes over when its lease ends rather than up to one interval later (kill -9 of
    /// the leader: 4–5 s instead of 4–6 s with the defaults). The expiry is by the database's clock; a skewed clock
    /// only moves the attempt within that interval, and a little past the expiry keeps a timer that fires a hair
    /// early, or the database's now() (its transaction's start), from finding the lease still held.
    /// </summary>
    private TimeSpan UntilNextAttempt(LeaseRecord? lease)
    {
        if (lease is null || lease.Holder.Length == 0 || lease.Holder == ServerId) return _options.LeaseRenewInterval;
        var left = lease.ExpiresAt - _time.GetUtcNow() + PastExpiry;
        return left > TimeSpan.Zero && left < _options.LeaseRenewInterval ? left : _options.LeaseRenewInterval;
    }

    private void Following(LeaseRecord? lease)
    {
        var holder = lease is null || lease.Holder.Length == 0 ? null : lease.Holder;
        lock (_lock)
        {
            if (holder == _leader) return;
            _leader = holder;
        }
        if (holder is not null) LogFollowing(_logger, ServerId, holder, lease!.Token);
    }

    private static string NewServerId() =>
        $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Server {ServerId} is the leader (term {Token})")]
    private static partial void LogBecameLeader(ILogger logger, string serverId, long token);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Server {ServerId} is no longer the leader (term {Token}): {Reason}")]
    private static partial void LogSteppedDown(ILogger logger, string serverId, long token, string reason);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Server {ServerId} follows leader {Leader} (term {Token})")]
    private static partial void LogFollowing(ILogger logger, string serverId, string leader, long token);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Server {ServerId} is the leader: its store keeps no leases, so no other server can share it")]
    private static partial void LogAlwaysLeader(ILogger logger, string serverId);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Could not try to take the leader lease")]
    private static partial void LogAcquireFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Warning, Message = "Could not renew the leader lease")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2606, Level = LogLevel.Information, Message = "Server {ServerId} released the leader lease (term {Token})")]
    private static partial void LogReleased(ILogger logger, string serverId, long token);

    [LoggerMessage(EventId = 2607, Level = LogLevel.Warning, Message = "Could not release the leader lease; it expires instead")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
