using System.Net;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>Why a connection was not let in.</summary>
internal enum AdmissionRefusal
{
    None,
    AddressFull,
    ServerFull,
}

/// <summary>
/// Connection slots. Connections that have not logged in are counted per address and in total, apart
/// from the logged-in ones: a host that opens connections and never logs in fills only its own
/// pre-login allowance, never the camera's place. When all pre-login slots are taken (an attacker with
/// many addresses), the oldest pre-login connection of the address that holds the most makes room for
/// the new one: a camera has one connection and logs in within moments, a flooding host has many.
/// </summary>
internal sealed class FtpConnectionLimits(FtpSourceOptions options)
{
    private readonly Dictionary<IPAddress, int> _preAuthByAddress = [];
    private readonly LinkedList<FtpConnectionSlot> _preAuthOldestFirst = new();
    private int _preAuthTotal;
    private int _loggedIn;

    /// <summary>A pre-login slot for a new connection, or null with the reason when it is refused.</summary>
    public FtpConnectionSlot? TryAdmit(IPAddress address, out AdmissionRefusal refusal)
    {
        lock (_preAuthByAddress)
        {
            var fromAddress = _preAuthByAddress.GetValueOrDefault(address);
            // evicted connections still count until they are gone; twice the limit is a hard stop
            refusal = fromAddress >= options.MaxPreAuthConnectionsPerAddress ? AdmissionRefusal.AddressFull
                : _preAuthTotal >= 2 * options.MaxPreAuthConnections ? AdmissionRefusal.ServerFull
                : AdmissionRefusal.None;
            if (refusal != AdmissionRefusal.None)
            {
                return null;
            }

            if (_preAuthTotal - Evicting >= options.MaxPreAuthConnections)
            {
                // The oldest connection of the address holding the most live ones: a camera has one, a flooding host
                // many. Connections already evicted (closing) do not count, or an address whose slots are all
                // closing would pass the eviction on to whoever is oldest — maybe the camera.
                var live = _preAuthOldestFirst.Where(s => !s.IsEvicted).ToList();
                var perAddress = live.GroupBy(s => s.Address).ToDictionary(g => g.Key, g => g.Count());
                var most = perAddress.Values.DefaultIfEmpty(0).Max();
                live.FirstOrDefault(s => perAddress[s.Address] == most)?.Evict();
            }

            _preAuthByAddress[address] = fromAddress + 1;
            _preAuthTotal++;
            var slot = new FtpConnectionSlot(this, address);
            slot.Node = _preAuthOldestFirst.AddLast(slot);
            return slot;
        }
    }

    private int Evicting => _preAuthOldestFirst.Count(s => s.IsEvicted);

    internal bool TryPromote(FtpConnectionSlot slot, IPAddress address)
    {
        lock (_preAuthByAddress)
        {
            if (_loggedIn >= options.MaxConnections)
            {
                return false;
            }

            ReleasePreAuth(slot, address);
            _loggedIn++;
            return true;
        }
    }

    internal void Release(FtpConnectionSlot slot, IPAddress address, bool loggedIn)
    {
        lock (_preAuthByAddress)
        {
            if (loggedIn)
            {
                _loggedIn--;
            }
            else
            {
                ReleasePreAuth(slot, address);
            }
        }
    }

    private void ReleasePreAuth(FtpConnectionSlot slot, IPAddress address)
    {
        if (slot.Node is { } node)
        {
            _preAuthOldestFirst.Remove(node);
            slot.Node = null;
        }

        _preAuthTotal--;
        if (_preAuthByAddress.TryGetValue(address, out var count) && count > 1)
        {
            _preAuthByAddress[address] = count - 1;
        }
        else
        {
            _preAuthByAddress.Remove(address);
        }
    }
}

/// <summary>One connection's slot: pre-login until <see cref="TryPromote"/>, then a logged-in one; disposing frees whichever it holds.</summary>
internal sealed class FtpConnectionSlot(FtpConnectionLimits limits, IPAddress address) : IDisposable
{
    private readonly CancellationTokenSource _evicted = new();
    private bool _released;

    public bool IsLoggedIn { get; private set; }

    internal IPAddress Address => address;

    /// <summary>Cancelled when a newer connection took this pre-login slot; the session then closes.</summary>
    public CancellationToken Evicted => _evicted.Token;

    internal bool IsEvicted => _evicted.IsCancellationRequested;

    internal LinkedListNode<FtpConnectionSlot>? Node { get; set; }

    /// <summary>Called under the limits' lock.</summary>
    internal void Evict() => _evicted.Cancel();

    /// <summary>Moves to a logged-in slot; false when all of them are taken (the slot stays pre-login).</summary>
    public bool TryPromote()
    {
        if (IsLoggedIn)
        {
            return true;
        }

        IsLoggedIn = !IsEvicted && limits.TryPromote(this, address);
        return IsLoggedIn;
    }

    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            limits.Release(this, address, IsLoggedIn);
            _evicted.Dispose();
        }
    }
}
