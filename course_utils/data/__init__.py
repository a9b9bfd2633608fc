"""The data layer: find and validate audio collections (and image folders such as Kaggle's), name their
artists, split them by track and by artist, cut segments.

``load_dataset`` is where every chapter starts.
"""

from course_utils.data.artists import artist_groups, gtzan_artist_index, read_artists_csv
from course_utils.data.collection import GTZAN_GENRES, Dataset, find_label_root, scan_folder, tracks_table
from course_utils.data.download import download
from course_utils.data.images import ImageSet, image_track_id, kaggle_images, load_image, scan_images
from course_utils.data.segments import segment_table
from course_utils.data.sources import download_gtzan, ensure_synthetic, load_dataset
from course_utils.data.splits import (TrackSplit, artist_folds, fault_filtered_lists, fold_count, track_folds,
                                     track_split)

__all__ = [
    "GTZAN_GENRES", "Dataset", "artist_folds", "artist_groups", "fold_count", "gtzan_artist_index", "read_artists_csv", "ImageSet", "TrackSplit", "download", "download_gtzan", "ensure_synthetic",
    "fault_filtered_lists", "find_label_root", "image_track_id", "kaggle_images", "load_dataset", "load_image",
    "scan_folder", "scan_images", "segment_table", "track_folds", "track_split", "tracks_table",
]
