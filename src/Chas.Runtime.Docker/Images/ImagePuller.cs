using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Chas.Runtime.Docker.Images;

/// <summary>Makes an image present: nothing when the engine has it, a registry pull through the engine otherwise.</summary>
internal sealed class ImagePuller(IImageOperations images, string endpoint, ILogger logger)
{
    /// <exception cref="RuntimeException">The image is neither present nor pullable; the message says why.</exception>
    public async Task EnsureAsync(string image, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(image, cancellationToken))
        {
            return;
        }

        var (repository, tag) = ImageReference.Split(image);
        var readable = ImageReference.Normalize(image);
        DockerRuntimeLog.PullingImage(logger, readable);
        var errors = new StreamedErrorRecorder();
        string? failure;
        try
        {
            await images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = repository, Tag = tag }, null, errors, cancellationToken);
            failure = errors.FirstError;
        }
        catch (DockerApiException e)
        {
            failure = EngineErrors.MessageOf(e);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e))
        {
            failure = EngineErrors.UnreachableMessage(endpoint, e);
        }

        // A pull can end "successfully" without the image (an odd registry, a platform mismatch): trust only inspect.
        if (failure is null && !await ExistsAsync(image, cancellationToken))
        {
            failure = "the pull finished but the image is still missing";
        }

        if (failure is not null)
        {
            DockerRuntimeLog.PullFailed(logger, readable, failure);
            throw new RuntimeException($"image '{readable}' is not present on this node and could not be pulled: {failure}");
        }
    }

    private Task<bool> ExistsAsync(string image, CancellationToken cancellationToken) =>
        EngineErrors.CallAsync(endpoint, $"inspecting image '{image}'", async () =>
        {
            try
            {
                await images.InspectImageAsync(image, cancellationToken);
                return true;
            }
            catch (DockerImageNotFoundException)
            {
                return false;
            }
        });
}
