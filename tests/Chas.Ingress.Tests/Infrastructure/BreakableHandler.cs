using System.Net.Http.Headers;

namespace Chas.Ingress.Tests.Infrastructure;

/// <summary>
/// Sits between the ingress's <see cref="Client.ChasClient"/> and the server: counts list calls, can
/// break every open watch stream mid-flight (as a server restart or a dropped connection would),
/// and can refuse all requests for a while.
/// </summary>
public sealed class BreakableHandler() : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
{
    private CancellationTokenSource _break = new();
    private int _deploymentLists;

    public bool Refusing { get; set; }
    public int DeploymentLists => Volatile.Read(ref _deploymentLists);

    public void BreakWatches() => Interlocked.Exchange(ref _break, new CancellationTokenSource()).Cancel();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Refusing) throw new HttpRequestException("refused by the test");
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/api/v1/deployments") Interlocked.Increment(ref _deploymentLists);
        var response = await base.SendAsync(request, cancellationToken);
        if (!path.StartsWith("/api/v1/watch", StringComparison.Ordinal) || !response.IsSuccessStatusCode) return response;

        var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
        var content = new StreamContent(new BreakableStream(inner, _break.Token));
        foreach (var header in response.Content.Headers) content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = content;
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _break.Dispose();
        base.Dispose(disposing);
    }

    private sealed class BreakableStream(Stream inner, CancellationToken broken) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, broken);
            try
            {
                return await inner.ReadAsync(buffer, either.Token);
            }
            catch (OperationCanceledException) when (broken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("watch stream broken by the test");
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
