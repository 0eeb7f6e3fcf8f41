namespace CleanClip; public static class Placeholder {}
