using HomeSec.Core.Plugins.Filters.Yolo;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace HomeSec.Core.Inference;

/// <summary>
/// One ONNX Runtime session of a detection model: runs a batch of frames in one <c>Run</c> and decodes
/// each image's output. Not thread-safe: one caller at a time (in HomeSec, its inference actor).
/// </summary>
public sealed class OnnxDetectorSession : IDisposable
{
    /// <summary>The GPU a CUDA session runs on (the first one the container is given).</summary>
    private const int CudaDevice = 0;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private float[]? _batchBuffer;

    private OnnxDetectorSession(DetectorModel model, InferenceSession session, string provider, string device, int maxBatch)
    {
        Model = model;
        _session = session;
        Provider = provider;
        Device = device;
        MaxBatch = maxBatch;
        _inputNames = [model.InputName];
        _outputNames = [model.OutputName];
    }

    public DetectorModel Model { get; }

    /// <summary>The execution provider in use: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Provider { get; }

    /// <summary>What runs the model: <c>cuda device 0</c>, or the CPU with its architecture, cores and the threads a run may use.</summary>
    public string Device { get; }

    public int MaxBatch { get; }

    public static OnnxDetectorSession Open(DetectorModel model, InferenceOptions options)
    {
        var provider = ChooseProvider(options.Provider);
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        // Idle intra-op threads would otherwise spin between and after runs, taking the cores that the
        // filters' ffmpeg processes decode on: on a small machine that slowed the yolo filter by a fifth,
        // while a run alone is as fast without spinning.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (provider == "cuda")
        {
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(CudaDevice);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException && options.Provider == ExecutionProviderChoice.Auto)
            {
                provider = "cpu";
            }
        }

        var session = new InferenceSession(model.Path, sessionOptions);
        var device = provider == "cuda"
            ? $"cuda device {CudaDevice}"
            : $"cpu {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, {Environment.ProcessorCount} cores, {options.Threads} thread(s) per run";
        return new OnnxDetectorSession(model, session, provider, device, model.FixedBatchOfOne ? 1 : Math.Max(1, options.MaxBatch));
    }

    /// <summary>The provider <paramref name="choice"/> gives on this machine; throws when CUDA is required but absent.</summary>
    public static string ChooseProvider(ExecutionProviderChoice choice)
    {
        var cudaPresent = OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider", StringComparer.Ordinal);
        return choice switch
        {
            ExecutionProviderChoice.Cpu => "cpu",
            ExecutionProviderChoice.Cuda when !cudaPresent => throw new InvalidOperationException(
                "execution_provider cuda: this ONNX Runtime has no CUDA execution provider (install the GPU build of the native library, or use auto or cpu)"),
            _ => cudaPresent ? "cuda" : "cpu",
        };
    }

    /// <summary>Runs the frames (RGB24 bytes, at most <see cref="MaxBatch"/> per run) and gives each frame's candidates.</summary>
    public IReadOnlyList<Detection>[] Detect(IReadOnlyList<byte[]> frames, IReadOnlyList<float> minConfidence)
    {
        var results = new IReadOnlyList<Detection>[frames.Count];
        for (var start = 0; start < frames.Count; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, frames.Count - start);
            using var outputs = Run(frames, start, count);
            var output = outputs[0];
            var shape = output.GetTensorTypeAndShape().Shape;
            var classes = Model.ClassNames.Count;
            var layout = Model.Layout ?? DetectorModel.LayoutOf(shape[1], shape[2], classes)
                ?? throw new InvalidDataException($"model output is [{string.Join(", ", shape)}]; expected [N, {4 + classes}, anchors] or [N, anchors, {4 + classes}]");
            var anchors = (int)(layout == YoloLayout.ChannelsFirst ? shape[2] : shape[1]);
            var data = output.GetTensorDataAsSpan<float>();
            var perImage = data.Length / count;
            for (var i = 0; i < count; i++)
            {
                var found = new List<Detection>();
                YoloOutputDecoder.Decode(data.Slice(i * perImage, perImage), layout, anchors, classes, minConfidence[start + i], found);
                results[start + i] = found;
            }
        }

        return results;
    }

    /// <summary><c>session.Run</c> alone on one frame, nothing decoded (for the benchmark's baseline).</summary>
    public void RunOnly(byte[] frame)
    {
        using var outputs = Run([frame], 0, 1);
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<byte[]> frames, int start, int count)
    {
        var frameLength = Model.FrameLength;
        long[] shape = [count, 3, Model.InputHeight, Model.InputWidth];
        // The bytes become the model's CHW floats here, where the model runs (one buffer reused for every batch).
        _batchBuffer ??= new float[MaxBatch * frameLength];
        for (var i = 0; i < count; i++)
        {
            RgbToTensor.Convert(frames[start + i].AsSpan(0, frameLength), _batchBuffer.AsSpan(i * frameLength, frameLength));
        }

        using (var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _batchBuffer.AsMemory(0, count * frameLength), shape))
        {
            return _session.Run(_runOptions, _inputNames, [input], _outputNames);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
