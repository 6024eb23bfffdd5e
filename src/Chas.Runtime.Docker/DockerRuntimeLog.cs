using Microsoft.Extensions.Logging;

namespace Chas.Runtime.Docker;

/// <summary>The Docker runtime's log lines, with stable event ids (3100-3199).</summary>
internal static partial class DockerRuntimeLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Pulling image {Image}")]
    public static partial void PullingImage(ILogger logger, string image);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Could not pull image {Image}: {Reason}")]
    public static partial void PullFailed(ILogger logger, string image, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Created container {Name} ({ContainerId}) from {Image}")]
    public static partial void ContainerCreated(ILogger logger, string name, string containerId, string image);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Removed container {ContainerId}")]
    public static partial void ContainerRemoved(ILogger logger, string containerId);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Could not read the engine's events for container {ContainerId} (its SIGKILL exit counts as out of memory): {Reason}")]
    public static partial void EventsUnavailable(ILogger logger, string containerId, string reason);
}
