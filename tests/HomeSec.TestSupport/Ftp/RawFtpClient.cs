using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace HomeSec.TestSupport.Ftp;

/// <summary>A deliberately low-level FTP client: sends exactly the bytes a test wants, including garbage.</summary>
public sealed partial class RawFtpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly IPAddress _from;
    private StreamReader _reader = null!;
    private NetworkStream _stream = null!;

    private RawFtpClient(IPAddress from)
    {
        _from = from;
        _tcp = new TcpClient(new IPEndPoint(from, 0));
    }

    /// <param name="from">The local address to connect from (any of 127.0.0.0/8 works on Linux), to play a second host.</param>
    public static async Task<RawFtpClient> ConnectAsync(int port, IPAddress? from = null)
    {
        var client = new RawFtpClient(from ?? IPAddress.Loopback);
        await client._tcp.ConnectAsync(IPAddress.Loopback, port);
        client._stream = client._tcp.GetStream();
        client._reader = new StreamReader(client._stream, Encoding.UTF8);
        return client;
    }

    /// <summary>The next full reply (multi-line replies joined), or null when the server closed.</summary>
    public async Task<string?> ReadReplyAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(10));
        var first = await _reader.ReadLineAsync(timeout.Token);
        if (first is null || first.Length < 4 || first[3] != '-')
        {
            return first;
        }

        var all = new StringBuilder(first);
        while (await _reader.ReadLineAsync(timeout.Token) is { } next)
        {
            all.Append('\n').Append(next);
            if (next.StartsWith(first[..3] + " ", StringComparison.Ordinal))
            {
                break;
            }
        }

        return all.ToString();
    }

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends <paramref name="bytes"/> as TCP urgent data, as clients send the Telnet Synch before ABOR.</summary>
    public async Task SendUrgentAsync(byte[] bytes) => await _tcp.Client.SendAsync(bytes, SocketFlags.OutOfBand);

    public async Task<string?> CommandAsync(string line)
    {
        await SendRawAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        return await ReadReplyAsync();
    }

    public async Task LoginAsync(string user = FtpSourceRun.User, string password = FtpSourceRun.Password)
    {
        await CommandAsync("USER " + user);
        var reply = await CommandAsync("PASS " + password);
        if (reply is null || !reply.StartsWith("230", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"login refused: {reply}");
        }
    }

    /// <summary>EPSV then a data connection to the port it names.</summary>
    public async Task<TcpClient> OpenDataAsync()
    {
        var reply = await CommandAsync("EPSV") ?? "";
        var port = int.Parse(EpsvPort().Match(reply).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var data = new TcpClient(new IPEndPoint(_from, 0));
        await data.ConnectAsync(IPAddress.Loopback, port);
        return data;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)")]
    private static partial Regex EpsvPort();
}
