"""The keys the app's settings are stored under, in one place for the modules that read them:
:class:`~emotion_app.gui.settings.AppSettings`, and the reading of an INI file's text
(:mod:`emotion_app.gui.settings_ini`), which reads the path settings' Windows paths as written.
"""

CAMERA_NAME = "camera/name"
CAMERA_INDEX = "camera/index"
CAMERA_SIZE = "camera/size"
SHOW_BARS = "overlay/show_bars"
STEADINESS = "overlay/steadiness"
# Before the steadiness levels the app stored a per-frame EMA factor (0..0.95) here.
OLD_SMOOTHING = "overlay/smoothing"
VIDEO_DIR = "files/last_video_dir"
GEOMETRY = "window/geometry"
WEIGHTS = "model/weights"
WEIGHTS_DIR = "model/last_weights_dir"
SHOW_TIMELINE = "window/show_timeline"
TIMELINE_PLACE = "window/timeline_place"
# The side the panel is docked at, or docks back at while it floats (the place says only
# "floating" then); absent from a file of before it, where a floating panel docks at the bottom.
TIMELINE_SIDE = "window/timeline_side"
# Where the timeline panel last floated (QWidget.saveGeometry), on whichever screen.
TIMELINE_GEOMETRY = "window/timeline_geometry"
# The docked panel's width at a side, and its height at the top or bottom, in pixels.
TIMELINE_WIDTH = "window/timeline_width"
TIMELINE_HEIGHT = "window/timeline_height"
OUTPUT_FOLDER = "files/output_folder"
EXPORT_DIR = "files/last_export_dir"
RECENT = "files/recent"
STREAM_URLS = "camera/stream_urls"
NETWORK_CAMERA = "camera/network_url"
# The settings that hold paths (a shipped: model name is read as no Windows path).
PATH_KEYS = frozenset({VIDEO_DIR, OUTPUT_FOLDER, EXPORT_DIR, WEIGHTS, WEIGHTS_DIR, RECENT})
MIRROR_CAMERAS = "view/mirror_cameras"
MIRROR_FILES = "view/mirror_files"
