namespace HomeSec.Core.Inference;

/// <summary>How a YOLOv8/YOLO11 detection output is laid out.</summary>
public enum YoloLayout
{
    /// <summary><c>[N, 4 + classes, anchors]</c>: Ultralytics' export.</summary>
    ChannelsFirst,

    /// <summary><c>[N, anchors, 4 + classes]</c>: the transposed export some tools make.</summary>
    AnchorsFirst,
}
