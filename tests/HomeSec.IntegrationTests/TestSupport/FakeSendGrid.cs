using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>A local HTTP server standing in for SendGrid: records every request and answers the statuses the test queues.</summary>
public sealed class FakeSendGrid : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _answers = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Task _loop;

    public FakeSendGrid()
    {
        Port = DaemonProcess.FreeTcpPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    /// <summary>The next request gets this status (202 when nothing is queued).</summary>
    public void Answer(int status, string body = "") => _answers.Enqueue((status, body));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            _requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"], context.Request.ContentType, body));
            var (status, answer) = _answers.TryDequeue(out var queued) ? queued : (202, "");
            context.Response.StatusCode = status;
            if (status == 429)
            {
                context.Response.Headers["Retry-After"] = "7";
            }

            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    public sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, string Body);
}
