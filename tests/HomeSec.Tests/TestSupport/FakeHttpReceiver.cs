using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace HomeSec.Tests.TestSupport;

/// <summary>One request a <see cref="FakeHttpReceiver"/> received, as it came over the wire.</summary>
public sealed record ReceivedRequest(string Method, string Path, NameValueCollection Headers, string? ContentType, byte[] Body, DateTimeOffset At)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers[name];
}

/// <summary>An answer of the fake: status, body, extra headers and, to play a receiver that hangs, a delay before it.</summary>
public sealed record ReceiverReply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static ReceiverReply Ok(string body = "") => new(200, body);
}

/// <summary>
/// A receiver of the HTTP notifiers (a webhook endpoint, an ntfy server, Telegram's Bot API) on 127.0.0.1 for tests.
/// It records every request and answers with <paramref name="answer"/>'s reply: the spec's fake checks its service's
/// request contract there (and refuses what breaks it, as the real one would) or plays any error status.
/// </summary>
public sealed class FakeHttpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ReceivedRequest, int, ReceiverReply> _answer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private int _count;

    /// <param name="answer">Gets each request and its 0-based index; returns the reply.</param>
    public FakeHttpReceiver(Func<ReceivedRequest, int, ReceiverReply> answer)
    {
        _answer = answer;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>A port nothing listens on, for "connection refused".</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // the listener was closed under a pending accept
        }

        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync();
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _stopping.Token);
            var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers,
                context.Request.ContentType, body.ToArray(), DateTimeOffset.UtcNow);
            Requests.Enqueue(request);
            var reply = _answer(request, Interlocked.Increment(ref _count) - 1);
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _stopping.Token);
            }

            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(reply.Body), _stopping.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the client gave up or the server is stopping
        }
    }
}
